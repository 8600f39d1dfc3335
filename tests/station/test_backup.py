"""``station backup`` / ``station restore --from``: sealed to the recovery key, consistent while writing."""
from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path

import pytest

from station import restore_backup
from station.attachments import AUTHORISATION, attach_files, blob_files, list_attachments
from station.backup import MAGIC, write_backup
from station.errors import BadInput
from station.home import StationHome
from station.recovery import parse_recovery_key
from station.restore_backup import restore_from_backup
from station.service import StationService, init_station
from station.store import StationStore
from tests.attachments.scans import tiny_pdf
from tests.station.helpers import allowance_request
from tests.support.demo import DEMO_TOPOLOGY_FILE, VILLAGE
from tests.support.hub import VENV_BIN, file_case, run_station

ID_NUMBER, PHONE, NAME = "420115194503150024", "13812345678", "曾𠮷"


def _station(root: Path) -> tuple[StationService, str]:
    home = StationHome(root / VILLAGE)
    recovery = init_station(home, VILLAGE, DEMO_TOPOLOGY_FILE)["recovery_key"]
    service = StationService(home)
    service.add_agent("A01", "王小丽", "agent", "1234")
    return service, recovery


def _backup(service: StationService, target: Path) -> dict:
    return write_backup(service.home, VILLAGE, service.now().isoformat(timespec="seconds"), target,
                        service.store_key(), blob_files(service)).to_dict()


def test_backup_taken_while_cases_are_filed_restores_every_case_it_holds(tmp_path: Path) -> None:
    service, recovery = _station(tmp_path / "old")
    agent = service.sign_in("A01", "1234")
    first = [file_case(service, agent, i) for i in range(5)]
    writer_home = StationService(service.home)  # the app, writing while the backup runs
    writer_agent = writer_home.sign_in("A01", "1234")
    stop = threading.Event()
    later: list[str] = []

    def keep_filing() -> None:
        while not stop.is_set() and len(later) < 200:
            later.append(file_case(writer_home, writer_agent, len(later)))

    thread = threading.Thread(target=keep_filing)
    thread.start()
    try:
        summaries = [_backup(service, tmp_path / f"b{n}.ssbackup") for n in range(3)]
    finally:
        stop.set()
        thread.join()
    writer_home.close()
    for number, summary in enumerate(summaries):
        new, _ = _station(tmp_path / f"new{number}")
        report = restore_from_backup(new, tmp_path / f"b{number}.ssbackup", parse_recovery_key(recovery))
        cases = {row["case_no"] for row in new.store.case_rows(limit=10**6)}
        # one moment: every intake whole (its case row with it), at most the last case not forwarded yet
        assert report.events == summary["events"] and 2 * summary["cases"] - 1 <= report.events <= 2 * summary["cases"]
        assert set(first) <= cases and len(cases) == summary["cases"]
        assert report.pending == summary["events"]  # nothing was pushed: all of it goes up from the new PC
        assert new.store.token(first[0]) == service.store.token(first[0])  # receipts print again
        assert new.store.search_citizens("zeng") == service.store.search_citizens("zeng") != []  # lookup keys too
        new.close()
    service.close()


def test_a_backup_holds_no_readable_citizen_data(tmp_path: Path) -> None:
    service, _ = _station(tmp_path)
    agent = service.sign_in("A01", "1234")
    service.intake(agent, allowance_request(applicant_id=ID_NUMBER, applicant_name=NAME, phone=PHONE))
    _backup(service, tmp_path / "x.ssbackup")
    data = (tmp_path / "x.ssbackup").read_bytes()
    assert data.startswith(MAGIC)
    # (no single character: its 3 bytes turn up by chance in a few hundred kB of ciphertext)
    for secret in (NAME.encode(), ID_NUMBER.encode(), PHONE.encode()):
        assert secret not in data
    service.close()


def test_wrong_key_changed_or_cut_backups_are_refused_with_a_reason(tmp_path: Path) -> None:
    service, recovery = _station(tmp_path / "old")
    file_case(service, service.sign_in("A01", "1234"))
    good = tmp_path / "good.ssbackup"
    _backup(service, good)
    other, other_key = _station(tmp_path / "other")
    target, _ = _station(tmp_path / "new")
    key = parse_recovery_key(recovery)
    with pytest.raises(BadInput, match="不是用这个恢复密钥加密的"):
        restore_from_backup(target, good, parse_recovery_key(other_key))
    data = good.read_bytes()
    flipped = bytearray(data)
    flipped[-40] ^= 1
    cases = {"changed": bytes(flipped), "cut": data[:-30], "extra": data + b"\0", "not a backup": b"hello"}
    for name, content in cases.items():
        broken = tmp_path / f"{name}.ssbackup"
        broken.write_bytes(content)
        with pytest.raises(BadInput) as refused:
            restore_from_backup(target, broken, key)
        assert "Traceback" not in str(refused.value), name
    assert target.store.event_count() == 0  # nothing half-restored
    assert not (target.home.root / ".restore").exists()  # no unsealed copy left behind
    with pytest.raises(BadInput, match="站点"):
        other_backup = tmp_path / "other.ssbackup"
        write_backup(other.home, VILLAGE.replace("03", "04", 1), other.now().isoformat(), other_backup,
                     other.store_key(), blob_files(other))
        restore_from_backup(target, other_backup, parse_recovery_key(other_key))
    for opened in (service, other, target):
        opened.close()


def test_rekey_through_the_command_line(tmp_path: Path) -> None:
    home = tmp_path / VILLAGE
    init = run_station(home, "init", "--station", VILLAGE, "--config", str(DEMO_TOPOLOGY_FILE), "--json")
    old_key = json.loads(init.stdout)["recovery_key"]
    assert run_station(home, "backup", str(tmp_path / "before.ssbackup")).returncode == 0
    rekey = run_station(home, "rekey", "--json")
    new_key = json.loads(rekey.stdout)["recovery_key"]
    assert new_key != old_key and new_key.count("-") == 12
    assert run_station(home, "backup", str(tmp_path / "after.ssbackup")).returncode == 0
    fresh = tmp_path / "fresh"
    assert run_station(fresh, "init", "--station", VILLAGE, "--config", str(DEMO_TOPOLOGY_FILE)).returncode == 0
    env = os.environ | {"STATION_RECOVERY_KEY": old_key, "STATION_CITYHALL_URL": "http://127.0.0.1:9"}

    def restore(backup: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(VENV_BIN / "station"), "--home", str(fresh), "restore", "--from", str(tmp_path / backup),
                               "--give-up-after", "1", "--json"], capture_output=True, text=True, env=env, timeout=60)

    wrong = restore("after.ssbackup")
    assert wrong.returncode == 2 and "不是用这个恢复密钥加密的" in wrong.stderr
    right = restore("before.ssbackup")
    assert right.returncode == 5  # the backup is in; the city hall part waits for a link
    assert "备份已经恢复" in right.stderr and json.loads(right.stdout)["hub"] == "unreachable"


def test_restore_writes_no_readable_attachment_nor_the_snapshot_key_to_disk(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The backup's files go straight into this PC's sealed files as they are read; the snapshot's
    key stays in memory: while the unsealed folder exists it holds the encrypted snapshot alone."""
    service, recovery = _station(tmp_path / "old")
    agent = service.sign_in("A01", "1234")
    case_no = file_case(service, agent)
    scan = tmp_path / "委托书.pdf"
    scan.write_bytes(tiny_pdf(f"wei tuo shu {ID_NUMBER} {PHONE}"))
    attach_files(service, agent, case_no, AUTHORISATION, [scan])
    backup = tmp_path / "with-files.ssbackup"
    _backup(service, backup)
    target, _ = _station(tmp_path / "new")
    unsealed: dict[str, bytes] = {}
    real_store = restore_backup.StationStore

    def looking(path: Path, key: bytes | None) -> StationStore:
        for found in sorted(path.parent.rglob("*")):
            if found.is_file():
                unsealed[str(found.relative_to(path.parent))] = found.read_bytes()
        return real_store(path, key)

    monkeypatch.setattr(restore_backup, "StationStore", looking)
    report = restore_from_backup(target, backup, parse_recovery_key(recovery))
    assert report.attachment_files == 1
    assert list(unsealed) == ["station.db"]
    for needle in (ID_NUMBER.encode(), PHONE.encode(), NAME.encode()):
        assert needle not in unsealed["station.db"]
    (row,) = list_attachments(target, case_no)
    assert Path(row["path"]).read_bytes() == scan.read_bytes()
    for opened in (service, target):
        opened.close()
