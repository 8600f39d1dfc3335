"""``station attach-config``, ``upload``, ``attachments --fetch``, ``sync`` and ``bundle`` with files,
run as a person or a script runs them, against a real city hall on loopback and real SQLite files."""
from __future__ import annotations

import io
import json
import os
import subprocess
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from cityhall import db
from station.lockbox import Credentials
from station.home import StationHome
from station.service import StationService
from sync.client import SyncClient
from sync.session import CITYHALL_URL_ENV
from tests.station.test_cli import intake_args
from tests.support.demo import DEMO_TOPOLOGY_FILE, OTHER_VILLAGE, TOWNSHIP, VILLAGE
from sync.sealed_bundle import without_files
from tests.support.hub import VENV_BIN, exchange_keys, free_port, in_process_hub, make_station, topology_for

from .linkproxy import link_proxy

DEFAULTS = {"cap_megabytes": 2048, "upload_bytes_per_second": 0, "grayscale": False, "watch_folder": "",
            "max_file_megabytes": 50}


def station(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"STATION_HOME": str(home), "STATION_PIN": "1234"} | (env or {})
    result = subprocess.run([str(VENV_BIN / "station"), *args], capture_output=True, text=True, env=env, timeout=90)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def as_json(home: Path, *args: str) -> dict:
    result = station(home, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@dataclass
class Hub:
    url: str
    app: object
    homes: dict[str, Path]

    def stored(self, sha256: str) -> bytes:
        return b"".join(self.app.state.files.storage.read(sha256))  # type: ignore[attr-defined]


@contextmanager
def running_hub(folder: Path, port: int, config: Path, homes: dict[str, Path]) -> Iterator[Hub]:
    with in_process_hub(folder, config, port) as app:
        yield Hub(f"http://127.0.0.1:{port}", app, homes)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    port = free_port()
    config = topology_for(tmp_path, port)
    with running_hub(tmp_path, port, config, {}) as hub:
        services = []
        for code, role in ((VILLAGE, "agent"), (TOWNSHIP, "approver"), (OTHER_VILLAGE, "agent")):
            service, _, key = make_station(tmp_path, code, config, role=role)
            services.append(service)
            hub.app.state.store.enroll(code, key)  # type: ignore[attr-defined]
            hub.homes[code] = tmp_path / code
        exchange_keys(hub.url, *services)
        for service in services:
            service.close()
        yield hub


def _case_with_scans(home: Path, scan_dir: Path, forward: bool = True) -> tuple[str, list[dict]]:
    case_no = as_json(home, *intake_args())["case_no"]
    if forward:
        assert station(home, "act", case_no, "forwarded", "--agent", "A01").returncode == 0
    attached = as_json(home, "attach", case_no, "id_and_hukou", str(scan_dir / "户口本.jpg"), "--agent", "A01")
    pdf = as_json(home, "attach", case_no, "authorisation", str(scan_dir / "委托书.pdf"), "--agent", "A01")
    return case_no, attached["attached"] + pdf["attached"]


def _wire(home: Path, sha256: str) -> bytes:
    """A file's plain bytes, read through the station's one reader (they are sealed on disk)."""
    from station.attachments import blob_files

    service = StationService(StationHome(home), credentials=Credentials(pin="1234"))
    try:
        return blob_files(service).read(sha256)
    finally:
        service.close()


def _push_events_only(home: Path, url: str) -> None:
    service = StationService(StationHome(home), credentials=Credentials(pin="1234"))
    try:
        with SyncClient(service, url, give_up_after=5.0) as client:
            client.sync_once()
    finally:
        service.close()


# -- attach-config ----------------------------------------------------------------------------

def test_attach_config_sets_each_setting_and_refuses_bad_values_all_at_once(tmp_path: Path, scan_dir: Path) -> None:
    service, _, _ = make_station(tmp_path, VILLAGE, DEMO_TOPOLOGY_FILE)
    service.close()
    home = tmp_path / VILLAGE
    assert as_json(home, "attach-config") == DEFAULTS
    camera = tmp_path / "高拍仪 扫描"
    changed = as_json(home, "attach-config", "--cap-mb", "512", "--rate", "16000", "--grayscale", "on",
                      "--watch-folder", str(camera))
    expected = DEFAULTS | {"cap_megabytes": 512, "upload_bytes_per_second": 16000, "grayscale": True,
                           "watch_folder": str(camera)}
    assert changed == expected and as_json(home, "attach-config") == expected
    saved = (home / "attachments.toml").read_bytes()
    assert tomllib.loads(saved.decode("utf-8")) == expected

    refused = station(home, "attach-config", "--cap-mb", "0", "--rate", "-1", "--grayscale", "off")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.splitlines() == ["--cap-mb 至少为 1", "--rate 不能为负数（0 为不限速）"]
    assert (home / "attachments.toml").read_bytes() == saved  # nothing written, grayscale still on
    assert station(home, "attach-config", "--grayscale", "maybe").returncode == 2

    case_no = as_json(home, *intake_args())["case_no"]  # a document page: bilevel (the setting is for photos)
    [scan] = as_json(home, "attach", case_no, "id_and_hukou", str(scan_dir / "户口本.jpg"), "--agent", "A01")["attached"]
    assert Image.open(io.BytesIO(_wire(home, scan["sha256"]))).mode == "1"


# -- upload and fetch ---------------------------------------------------------------------------

def test_upload_waits_for_events_keeps_to_the_rate_and_the_township_fetches_byte_identical(
        hub: Hub, scan_dir: Path) -> None:
    village, township, stranger = hub.homes[VILLAGE], hub.homes[TOWNSHIP], hub.homes[OTHER_VILLAGE]
    case_no, attached = _case_with_scans(village, scan_dir)
    early = as_json(village, "upload")
    assert (early["uploaded"], early["waiting_for_events"], early["bytes_sent"]) == (0, 2, 0)

    _push_events_only(village, hub.url)
    rate = 300_000
    as_json(village, "attach-config", "--rate", str(rate))
    total = sum(a["size"] for a in attached)
    started = time.monotonic()
    result = as_json(village, "upload")
    took = time.monotonic() - started
    assert (result["uploaded"], result["pending"], result["bytes_sent"], result["errors"]) == (2, 0, total, [])
    assert took >= (total - rate / 4) / rate * 0.9, f"{total} B in {took:.2f} s at {rate} B/s"
    for sent in attached:
        assert hub.stored(sent["sha256"]) == _wire(village, sent["sha256"])
    assert as_json(village, "upload")["uploaded"] == 0  # nothing left

    assert as_json(township, "sync")["pulled"] == 4  # received, forwarded, two attached
    assert [row["path"] for row in as_json(township, "attachments", case_no)["attachments"]] == [None, None]
    fetched = as_json(township, "attachments", case_no, "--fetch")
    assert (fetched["fetched"]["fetched"], fetched["fetched"]["errors"]) == (2, [])
    paths = [Path(row["path"]) for row in fetched["attachments"]]
    assert [p.read_bytes() for p in paths] == [_wire(village, a["sha256"]) for a in attached]
    assert paths[1].read_bytes() == (scan_dir / "委托书.pdf").read_bytes()
    text = station(township, "attachments", case_no)
    assert text.returncode == 0 and str(paths[0]) in text.stdout and "委托书.pdf" in text.stdout

    refused = station(stranger, "attachments", case_no, "--fetch")  # a village of another township
    assert refused.returncode == 3 and refused.stdout == "" and refused.stderr


def test_upload_with_the_city_hall_down_exits_5_and_goes_through_once_it_is_back(
        tmp_path: Path, scan_dir: Path) -> None:
    port = free_port()
    config = topology_for(tmp_path, port)
    service, _, key = make_station(tmp_path, VILLAGE, config)
    service.close()
    home = tmp_path / VILLAGE
    _, [scan, pdf] = _case_with_scans(home, scan_dir)
    with running_hub(tmp_path, port, config, {}) as hub:
        hub.app.state.store.enroll(VILLAGE, key)  # type: ignore[attr-defined]
        _push_events_only(home, hub.url)

    started = time.monotonic()
    down = station(home, "upload", "--give-up-after", "1", "--json")
    assert down.returncode == 5 and down.stdout == "" and "连不上" in down.stderr
    assert time.monotonic() - started < 15
    with running_hub(tmp_path, port, config, {}) as hub:
        back = as_json(home, "upload")
        assert (back["uploaded"], back["pending"]) == (2, 0)
        assert hub.stored(pdf["sha256"]) == (scan_dir / "委托书.pdf").read_bytes()
        assert hub.stored(scan["sha256"]) == _wire(home, scan["sha256"])


# -- sync and bundles hand off files too -----------------------------------------------------------

def test_sync_sends_the_events_first_then_the_files_and_says_so(hub: Hub, scan_dir: Path) -> None:
    village = hub.homes[VILLAGE]
    case_no, attached = _case_with_scans(village, scan_dir)
    result = as_json(village, "sync")
    assert (result["pushed"], result["pending"], result["rejected"]) == (4, 0, 0)
    files = result["files"]
    assert (files["uploaded"], files["pending"], files["waiting_for_events"], files["error"]) == (2, 0, 0, None)
    assert files["bytes_sent"] == sum(a["size"] for a in attached)
    engine = hub.app.state.store.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        last_event = conn.execute(select(func.max(db.events.c.ingested_at)).where(db.events.c.case_no == case_no)).scalar()
    assert last_event <= hub.app.state.files.first_file_started_at()  # type: ignore[attr-defined]
    again = station(village, "sync")
    assert again.returncode == 0 and "附件：已上传 0 个" in again.stdout and "待上传 0 个" in again.stdout


def test_a_stick_takes_the_files_to_the_township_whose_sync_hands_them_up(hub: Hub, scan_dir: Path,
                                                                         tmp_path: Path) -> None:
    village, township = hub.homes[VILLAGE], hub.homes[TOWNSHIP]
    case_no, attached = _case_with_scans(village, scan_dir)
    stick = tmp_path / "U盘" / "光星村.bundle"
    stick.parent.mkdir()
    exported = as_json(village, "bundle", "export", str(stick))
    assert (exported["files"], exported["file_bytes"]) == (2, sum(a["size"] for a in attached))

    damaged = tmp_path / "damaged.bundle"
    data = bytearray(stick.read_bytes())
    data[-attached[1]["size"] - 1000] ^= 0x01  # inside the scan
    damaged.write_bytes(bytes(data))
    refused = station(township, "bundle", "import", str(damaged))
    assert refused.returncode == 2 and "户口本.jpg" in refused.stderr and "damaged.bundle" in refused.stderr
    assert station(township, "case", case_no).returncode == 3  # nothing half-imported

    imported = as_json(township, "bundle", "import", str(stick))
    assert (imported["files"], imported["will_relay"]) == (2, True)
    rows = as_json(township, "attachments", case_no)["attachments"]
    assert [Path(r["path"]).read_bytes() for r in rows] == [_wire(village, a["sha256"]) for a in attached]

    relayed = as_json(township, "sync")
    assert (relayed["relayed_bundles"], relayed["files"]["uploaded"], relayed["files"]["pending"]) == (1, 2, 0)
    for sent in attached:
        assert hub.stored(sent["sha256"]) == _wire(village, sent["sha256"])
    late = as_json(village, "sync")  # the village's own link: its events and files are already there
    assert (late["pushed"], late["files"]["uploaded"], late["files"]["bytes_sent"]) == (4, 2, 0)


def test_sync_on_a_slow_link_keeps_files_inside_its_window_and_a_stick_carries_them_up(
        hub: Hub, scan_dir: Path, tmp_path: Path) -> None:
    village, township = hub.homes[VILLAGE], hub.homes[TOWNSHIP]
    case_no, attached = _case_with_scans(village, scan_dir)
    with link_proxy(hub.url, delay_s=0.7, files_down=True) as link:  # each event request takes 0.7 s
        synced = station(village, "sync", "--give-up-after", "1.5", "--json", env={CITYHALL_URL_ENV: link.url})
        returned_at = time.monotonic()
    assert synced.returncode == 0, synced.stderr
    result = json.loads(synced.stdout)
    assert (result["pushed"], result["pending"]) == (4, 0)  # the events went up, slowly
    files = result["files"]
    assert (files["uploaded"], files["pending"], files["out_of_time"]) == (0, 2, True)
    assert link.file_requests() == []  # the window was spent on the events: no file started
    assert returned_at - link.last_answer_at() < 1.5, "the command lingered after its window"

    stick = tmp_path / "U盘" / "光星村.bundle"
    stick.parent.mkdir()
    exported = as_json(village, "bundle", "export", str(stick))
    assert (exported["own_events"], exported["files"]) == (0, 2)
    imported = station(township, "bundle", "import", str(stick))
    assert imported.returncode == 0 and "附件 2 个" in imported.stdout, imported.stdout
    relayed = as_json(township, "sync")
    assert (relayed["relayed_bundles"], relayed["files"]["uploaded"], relayed["files"]["pending"]) == (1, 2, 0)
    for sent in attached:
        assert hub.stored(sent["sha256"]) == _wire(village, sent["sha256"])
    assert [r["path"] is not None for r in as_json(township, "attachments", case_no)["attachments"]] == [True, True]


def test_sync_with_the_file_store_down_reports_it_and_keeps_the_files_for_next_time(
        hub: Hub, scan_dir: Path) -> None:
    village = hub.homes[VILLAGE]
    _case_with_scans(village, scan_dir)
    with link_proxy(hub.url, files_down=True) as link:
        started = time.monotonic()
        synced = station(village, "sync", "--give-up-after", "2", env={CITYHALL_URL_ENV: link.url})
        took = time.monotonic() - started
    assert synced.returncode == 0 and "已上传 4 条" in synced.stdout  # the events stand
    assert "附件：已上传 0 个" in synced.stdout and "待上传 2 个" in synced.stdout
    assert "附件问题：附件传输中断" in synced.stdout and link.file_requests()
    assert took < 2 + 8 + 5, took  # the window, at most one back-off wait past it, and starting Python
    assert as_json(village, "sync")["files"]["uploaded"] == 2  # straight to the city hall: they go now


def test_importing_a_stick_without_its_file_section_names_the_files_left_behind(
        hub: Hub, scan_dir: Path, tmp_path: Path) -> None:
    village, township = hub.homes[VILLAGE], hub.homes[TOWNSHIP]
    case_no, _ = _case_with_scans(village, scan_dir)
    stick = tmp_path / "stick.bundle"
    as_json(village, "bundle", "export", str(stick))
    stick.write_bytes(without_files(stick.read_bytes()))
    imported = station(township, "bundle", "import", str(stick))
    assert imported.returncode == 0
    lines = imported.stdout.splitlines()
    assert lines[0].startswith("已导入 ") and len(lines) == 3
    assert "户口本.jpg" in lines[1] and "委托书.pdf" in lines[2]
    assert all(case_no in line and "不在数据包里" in line for line in lines[1:])
