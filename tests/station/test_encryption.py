"""Citizens' data encrypted at rest: the store file, its WAL and the keys file, through the real command."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import forms
from station.datakey import read_ring
from station.home import StationHome
from station.lockbox import KEYS_FILE, PLAIN_HEADER, UNLOCK_PIN_ENV, Credentials, StoreLocked
from station.recovery import RECOVERY_KEY_ENV
from station.service import StationService
from station.store import connect_store
from tests.support.demo import DEMO_TOPOLOGY_FILE, VILLAGE
from tests.support.keys import introduce_homes

from .helpers import ALLOWANCE, allowance_request, example_fields
from .test_cli import STATION

NAME, ID_NUMBER, PHONE = "曾𠮷", "420115194503150024", "13812345678"
BANK_ACCOUNT, FORM_ANSWER = "6228480402564890018", "和平村五组"
SECRETS = [NAME, ID_NUMBER, PHONE, BANK_ACCOUNT, FORM_ANSWER, "诸葛小明"]


def station(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("STATION_PIN", RECOVERY_KEY_ENV, UNLOCK_PIN_ENV)}
    return subprocess.run([STATION, "--home", str(home), *args], capture_output=True, text=True,
                          env=base | env, timeout=60)


def intake(home: Path, pin: str = "1234", name: str = NAME, id_number: str = ID_NUMBER) -> dict[str, object]:
    fields = example_fields(ALLOWANCE) | {"collector_name": "诸葛小明"}
    flags = [arg for key, value in fields.items() for arg in ("--field", f"{key}={value}")]
    done = station(home, "intake", "--agent", "A01", "--item", ALLOWANCE, "--applicant-id", id_number,
                   "--applicant-name", name, "--phone", PHONE, *flags, "--received", "id_and_hukou",
                   "--received", "application_form", "--deferred", "bank_card_copy", "--json", STATION_PIN=pin)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.fixture
def home(tmp_path: Path) -> tuple[Path, str]:
    home = tmp_path / "village"
    made = station(home, "init", "--station", VILLAGE, "--config", str(DEMO_TOPOLOGY_FILE), "--json")
    assert made.returncode == 0, made.stderr
    added = station(home, "agent", "add", "--id", "A01", "--name", "王小丽", "--role", "agent", STATION_PIN="1234")
    assert added.returncode == 0, added.stderr
    return home, json.loads(made.stdout)["recovery_key"]


def every_file_bytes(root: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}


SHIPPED_ITEMS = b"".join(path.read_bytes() for path in (Path(forms.__file__).parent / "items").glob("*.toml"))
"""The built-in catalogue: its field examples are public text (the forms above are filled with them)."""


def _public_copy(path: Path, secret: str) -> bool:
    """The parsed catalogue in the home's cache folder holds the shipped examples, not a citizen's data."""
    return path.parent.name == "cache" and path.name == "catalogue.pickle" and secret.encode("utf-8") in SHIPPED_ITEMS


def leaks(files: dict[Path, bytes], secrets: list[str]) -> list[str]:
    found = []
    for path, data in files.items():
        for secret in secrets:
            for form in {secret.encode("utf-8"), secret.encode("utf-16-le")}:
                if form in data and not _public_copy(path, secret):
                    found.append(f"{path.name}: {secret}")
    return found


def test_no_personal_data_in_any_file_of_the_home(home: tuple[Path, str]) -> None:
    root, _ = home
    for _ in range(3):
        intake(root)
    shown = station(root, "cases", "--json", STATION_PIN="1234")
    assert shown.returncode == 0 and NAME in shown.stdout  # readable with the PIN ...
    app = StationService(StationHome(root), credentials=Credentials(pin="1234"))  # the app, open meanwhile
    app.intake(app.sign_in("A01", "1234"), allowance_request(applicant_id=ID_NUMBER, applicant_name=NAME))
    files = every_file_bytes(root)
    assert any(path.name == "station.db-wal" and data for path, data in files.items())  # the WAL is looked at
    assert leaks(files, SECRETS) == []  # ... and nowhere on disk
    app.close()
    assert not any(data.startswith(PLAIN_HEADER) for path, data in files.items() if path.name.startswith("station.db"))


def test_locked_without_a_pin_yet_the_station_info_and_catalogue_work(home: tuple[Path, str]) -> None:
    root, _ = home
    case_no = intake(root)["case_no"]
    for args in (["cases"], ["case", str(case_no)], ["receipt", str(case_no)]):
        refused = station(root, *args)
        assert refused.returncode == 4, refused.stderr
        assert "本站数据已加密" in refused.stderr and "STATION_PIN" in refused.stderr
        assert "Traceback" not in refused.stderr
    assert station(root, "info", "--json").returncode == 0
    assert station(root, "items", "--json").returncode == 0
    wrong = station(root, "cases", STATION_PIN="9999")
    assert wrong.returncode == 4 and "不是本站任何一位操作员的密码" in wrong.stderr


def test_any_operators_pin_or_the_recovery_key_opens_it(home: tuple[Path, str]) -> None:
    root, recovery_key = home
    intake(root)
    locked_add = station(root, "agent", "add", "--id", "C01", "--name", "李窗口", "--role", "clerk", STATION_PIN="2345")
    assert locked_add.returncode == 4 and UNLOCK_PIN_ENV in locked_add.stderr
    added = station(root, "agent", "add", "--id", "C01", "--name", "李窗口", "--role", "clerk",
                    STATION_PIN="2345", STATION_UNLOCK_PIN="1234")
    assert added.returncode == 0, added.stderr
    for env in ({"STATION_PIN": "2345"}, {"STATION_PIN": "1234"}, {RECOVERY_KEY_ENV: recovery_key}):
        listed = station(root, "cases", "--json", **env)
        assert listed.returncode == 0, listed.stderr
        assert [c["applicant_name"] for c in json.loads(listed.stdout)["cases"]] == [NAME]
    # an acting command still signs in as its --agent: another operator's PIN does not do
    assert station(root, "act", str(intake(root)["case_no"]), "noted", "--agent", "A01", "--reason", "x",
                   STATION_PIN="2345").returncode == 4


def test_the_first_operators_key_was_never_on_disk_in_the_open(tmp_path: Path) -> None:
    root = tmp_path / "village"
    assert station(root, "init", "--station", VILLAGE, "--config", str(DEMO_TOPOLOGY_FILE)).returncode == 0
    before = read_ring(root / KEYS_FILE)
    assert before is not None and before.open_key  # no operator, no personal data: the key stands open
    assert station(root, "agent", "add", "--id", "A01", "--name", "王", "--role", "agent",
                   STATION_PIN="1234").returncode == 0
    after = read_ring(root / KEYS_FILE)
    assert after is not None and after.open_key is None and set(after.operators) == {"A01"}
    assert after.store_salt != before.store_salt
    with pytest.raises(Exception, match="not a database"):
        connect_store(root / "station.db", bytes.fromhex(before.open_key)).execute("SELECT * FROM cases").fetchall()
    assert list(root.glob("*.swap")) == [] and not (root / "keys.pending.json").exists()


def test_failed_unlocks_count_in_the_keys_file_and_lock_the_operator(home: tuple[Path, str]) -> None:
    root, _ = home
    service = StationService(StationHome(root))
    for _ in range(5):
        with pytest.raises(Exception, match="密码不对"):
            service.sign_in("A01", "0000")
    with pytest.raises(Exception, match="已锁定"):
        service.sign_in("A01", "1234")
    assert not service.unlocked
    ring = read_ring(root / KEYS_FILE)
    assert ring is not None and ring.sign_in["A01"]["failures"] == 5
    service.close()


def test_a_service_without_credentials_stays_locked(home: tuple[Path, str]) -> None:
    root, _ = home
    service = StationService(StationHome(root))
    with pytest.raises(StoreLocked):
        service.store.case_count()
    assert service.sign_in("a01", "1234").id == "A01"  # sign-in unlocks (the ID in any letter case, as before)
    assert service.store.case_count() == 0
    service.close()
    opened = StationService(StationHome(root), credentials=Credentials(pin="1234"))
    assert opened.store.case_count() == 0
    opened.close()


def _windows(data: bytes, size: int = 48, count: int = 12) -> list[bytes]:
    """Pieces of a file from its start to its end: any of them on disk would be the file in the clear."""
    step = max((len(data) - size) // (count - 1), 1)
    return [data[i:i + size] for i in range(0, len(data) - size + 1, step)][:count]


def test_no_personal_data_nor_a_scan_in_the_home_nor_on_a_stick_after_filing_with_an_attached_scan(
        home: tuple[Path, str], tmp_path: Path) -> None:
    from tests.attachments.scans import a4_scan, tiny_pdf

    root, _ = home
    photo, pdf = tmp_path / "户口本.jpg", tmp_path / "委托书.pdf"
    photo.write_bytes(a4_scan(3))
    pdf.write_bytes(tiny_pdf(f"{ID_NUMBER} {PHONE} {BANK_ACCOUNT}") + f"% {NAME} {FORM_ANSWER}\n".encode())
    case_no = str(intake(root)["case_no"])
    for material, scan in (("id_and_hukou", photo), ("authorisation", pdf)):
        done = station(root, "attach", case_no, material, str(scan), "--agent", "A01", "--json", STATION_PIN="1234")
        assert done.returncode == 0, done.stderr
    listed = station(root, "attachments", case_no, "--json", STATION_PIN="1234")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)["attachments"]
    copies = [Path(rows[0]["original_path"]), Path(rows[1]["path"])]
    assert [p.read_bytes() for p in copies] == [photo.read_bytes(), pdf.read_bytes()]  # readable where it is shown
    assert not any(p.is_relative_to(root) for p in copies)
    wire = Path(rows[0]["path"]).read_bytes()  # the reduced copy that travels is a scan of the same page
    introduce_homes(root)  # what a first sync brings: the keys the stick is sealed to
    stick = tmp_path / "stick" / "lost.bundle"
    stick.parent.mkdir()
    exported = station(root, "bundle", "export", str(stick), "--json", STATION_PIN="1234")
    assert exported.returncode == 0 and json.loads(exported.stdout)["files"] == 2, exported.stderr
    files = every_file_bytes(root) | {stick: stick.read_bytes()}
    assert any(p.parent.parent.name == "attachments" for p in files)  # the files are looked at
    assert leaks(files, SECRETS) == []
    pieces = _windows(photo.read_bytes()) + _windows(wire) + _windows(pdf.read_bytes())
    assert [p.name for p, data in files.items() if any(piece in data for piece in pieces)] == []
