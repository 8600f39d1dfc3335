"""Sealed bundles with real processes: a lost stick leaks nothing; only the township and the city hall open it.

Three homes are made by ``station init`` and enrolled with the line it prints (signing and
encryption keys), each syncs once to hear the others' keys, then the village works offline:
a case for 曾𠮷 with a scan, a stick. No name, ID number, phone, file name or scan is in the
stick's bytes; the neighbour village cannot open it (exit 2, nothing imported); the township
can, shows the case in full and relays it to the city hall.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx

from tests.attachments.scans import tiny_pdf
from tests.support.demo import TOWNSHIP, VILLAGE, VILLAGE_2
from tests.support.hub import INTAKE_FIELDS, ITEM, VENV_BIN, HubProcess, json_of, run_station

NAME, ID_NUMBER, PHONE = "曾𠮷", "420115194503150024", "13812345678"


def _enrolled_home(tmp_path: Path, hub: HubProcess, code: str, agent: str, role: str) -> Path:
    home = tmp_path / code
    made = json_of(run_station(home, "init", "--station", code, "--config", str(hub.config), "--json"))
    assert made["encryption_key"] and f"--encryption-key={made['encryption_key']}" in made["enroll"]
    info = json_of(run_station(home, "info", "--json"))
    assert info["encryption_key"] == made["encryption_key"] == (home / "encryption.pub").read_text().strip()
    words = made["enroll"].split()
    assert words[0] == "cityhall"
    enrolled = subprocess.run([str(VENV_BIN / "cityhall"), *words[1:], "--db", hub.db_url],
                              capture_output=True, text=True, timeout=60)
    assert enrolled.returncode == 0 and "加密公钥已登记" in enrolled.stdout, enrolled.stderr
    assert run_station(home, "agent", "add", "--id", agent, "--name", "李四", "--role", role).returncode == 0
    return home


def _village_case_offline(village: Path, tmp_path: Path) -> tuple[str, str]:
    fields = [arg for key, value in INTAKE_FIELDS.items() for arg in ("--field", f"{key}={value}")]
    intake = json_of(run_station(village, "intake", "--json", "--agent", "A01", "--item", ITEM,
                                 "--applicant-id", ID_NUMBER, "--applicant-name", NAME, "--phone", PHONE, *fields,
                                 "--received", "id_and_hukou", "--received", "application_form",
                                 "--deferred", "bank_card_copy"))
    case_no = intake["case_no"]
    scan = tmp_path / "曾𠮷户口本.pdf"
    scan.write_bytes(tiny_pdf(f"{ID_NUMBER} {PHONE}"))
    assert run_station(village, "attach", case_no, "id_and_hukou", str(scan), "--agent", "A01").returncode == 0
    assert run_station(village, "act", case_no, "forwarded", "--agent", "A01").returncode == 0
    return case_no, intake["tracking_url"]


def test_a_stick_is_sealed_to_the_township_and_the_city_hall_and_leaks_nothing(tmp_path: Path, hub: HubProcess) -> None:
    village = _enrolled_home(tmp_path, hub, VILLAGE, "A01", "agent")
    neighbour = _enrolled_home(tmp_path, hub, VILLAGE_2, "A02", "agent")
    township = _enrolled_home(tmp_path, hub, TOWNSHIP, "T01", "approver")
    stick = tmp_path / "stick.bundle"
    unsynced = run_station(village, "bundle", "export", str(stick))
    assert unsynced.returncode == 2 and "请先联网同步一次" in unsynced.stderr and "Traceback" not in unsynced.stderr
    assert list(tmp_path.glob("stick.bundle*")) == [], "nothing written"

    hub.start()
    for home in (village, neighbour, township):
        assert run_station(home, "sync").returncode == 0  # one sync: each hears the keys its bundles need
    case_no, tracking_url = _village_case_offline(village, tmp_path)
    exported = json_of(run_station(village, "bundle", "export", str(stick), "--json"))
    assert set(exported["sealed_to"]) == {"hub", VILLAGE, TOWNSHIP} and exported["files"] == 1

    data = stick.read_bytes()
    assert data.startswith(b"SSBUNDLE2\n")
    readable = [NAME.encode(), NAME.encode("utf-16-le"), ID_NUMBER.encode(), PHONE.encode(), "户口本".encode(),
                "光星村三组".encode(), b"6228480402564890018", tiny_pdf(f"{ID_NUMBER} {PHONE}")[:40]]
    assert [secret for secret in readable if secret in data] == []

    refused = run_station(neighbour, "bundle", "import", str(stick))
    assert refused.returncode == 2 and "不在其中" in refused.stderr and "Traceback" not in refused.stderr
    assert json_of(run_station(neighbour, "cases", "--json"))["cases"] == []

    imported = json_of(run_station(township, "bundle", "import", str(stick), "--json"))
    assert (imported["applied"], imported["files"], imported["will_relay"]) == (exported["events"], 1, True)
    shown = json_of(run_station(township, "case", case_no, "--json"))
    assert json.dumps(shown, ensure_ascii=False).count(NAME) >= 1 and shown["status"] == "submitted"

    relayed = json_of(run_station(township, "sync", "--json"))
    assert relayed["relayed_bundles"] == 1
    token = tracking_url.rsplit("/", 1)[1]
    page = httpx.get(f"{hub.url}/api/v1/track/{case_no}/{token}", timeout=10).json()
    assert page["status"] == "submitted"  # the city hall opened the relayed copy as a recipient

    down, other = tmp_path / "down.bundle", tmp_path / "other.bundle"
    plain = json_of(run_station(township, "bundle", "export", str(down), "--json"))
    assert set(plain["sealed_to"]) == {"hub", TOWNSHIP} and plain["carried_bundles"] == 0
    refused_down = run_station(neighbour, "bundle", "import", str(down))
    assert refused_down.returncode == 2 and "不在其中" in refused_down.stderr
    mine = json_of(run_station(township, "bundle", "export", str(down), "--for", VILLAGE, "--json"))
    assert set(mine["sealed_to"]) == {"hub", TOWNSHIP, VILLAGE} and mine["events"] >= exported["events"]
    assert run_station(village, "bundle", "import", str(down)).returncode == 0
    refused_down = run_station(neighbour, "bundle", "import", str(down))
    assert refused_down.returncode == 2 and "不在其中" in refused_down.stderr
    not_below = run_station(township, "bundle", "export", str(other), "--for", TOWNSHIP)
    assert not_below.returncode == 2 and "不是本站" in not_below.stderr and "Traceback" not in not_below.stderr
    assert not list(tmp_path.glob("other.bundle*")), "nothing written"
