"""Abandoned partial uploads at the city hall are cleaned up; live ones and finished files stay."""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from cityhall import db
from cityhall.files import HubFiles, uploads_table
from cityhall.settings import STALE_UPLOAD_ENV, HubEnvironment
from cityhall.filestore import LocalStorage
from station.attachments import attach_files, blob_files
from sync.client import SyncClient
from sync.files import AdaptiveChunk, FileTransfer
from tests.support.demo import VILLAGE
from tests.support.hub import file_case, free_port, in_process_hub, make_station, topology_for

HOUR = 3600.0


def _hub(tmp_path: Path) -> HubFiles:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    db.migrate(engine)
    return HubFiles(engine, LocalStorage(tmp_path / "files"), tmp_path / "staging", stale_after_s=48 * HOUR)


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _declared(files: HubFiles) -> set[str]:
    with files.engine.connect() as conn:
        return set(conn.execute(select(uploads_table.c.sha256)).scalars())


def test_only_partial_uploads_idle_past_the_limit_are_deleted(tmp_path: Path) -> None:
    files, now = _hub(tmp_path), time.time()
    abandoned, live, finished = (os.urandom(50_000) for _ in range(3))
    names = [hashlib.sha256(data).hexdigest() for data in (abandoned, live, finished)]
    files.receive(VILLAGE, names[0], 0, len(abandoned), abandoned[:20_000], now - 72 * HOUR)
    files.receive(VILLAGE, names[1], 0, len(live), live[:20_000], now - 72 * HOUR)  # started long ago, still moving
    files.receive(VILLAGE, names[2], 0, len(finished), finished, now - 72 * HOUR)
    orphan = files.staging / ("f" * 64)  # named as before uploads were kept apart per station
    orphan.write_bytes(b"left by a crash")
    _age(files.staged(names[0], VILLAGE), 50 * HOUR)
    _age(files.staged(names[1], VILLAGE), 47 * HOUR)
    _age(orphan, 49 * HOUR)

    assert files.clean_stale_uploads(now) == sorted([f"{names[0]}.{VILLAGE}", "f" * 64])
    assert _declared(files) == {names[1]}
    assert not files.staged(names[0], VILLAGE).exists() and not orphan.exists()
    assert files.status(names[0], VILLAGE) == {"sha256": names[0], "received": 0, "size": None, "complete": False}
    assert files.status(names[1], VILLAGE)["received"] == 20_000
    assert b"".join(files.storage.read(names[2])) == finished

    files.receive(VILLAGE, names[0], 0, len(abandoned), abandoned, now)  # the station comes back: from byte 0
    assert b"".join(files.storage.read(names[0])) == abandoned

    _age(files.staged(names[1], VILLAGE), 49 * HOUR)  # then it too falls silent; the next upload an hour on sweeps it
    files.receive(VILLAGE, hashlib.sha256(b"x").hexdigest(), 0, 1, b"x", now + HOUR)
    assert _declared(files) == set() and not files.staged(names[1], VILLAGE).exists()


def test_the_hub_cleans_at_start_up_and_the_station_sends_the_file_again(
        tmp_path: Path, scan_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    config = topology_for(tmp_path, port)
    village, agent, key = make_station(tmp_path, VILLAGE, config)
    case_no = file_case(village, agent)
    [scan] = attach_files(village, agent, case_no, "id_and_hukou", [scan_dir / "户口本.jpg"])
    url = f"http://127.0.0.1:{port}"
    with in_process_hub(tmp_path, config, port) as app:
        app.state.store.enroll(VILLAGE, key)  # type: ignore[attr-defined]
        with SyncClient(village, url) as client:
            client.sync_once()
        chunk = AdaptiveChunk(16 * 1024, 16 * 1024, 16 * 1024)
        with FileTransfer(village, url, chunk=chunk, time_budget_s=1e-6) as transfer:
            assert transfer.upload_pending().uploaded == 0  # one chunk, then the round's time is up
        staged = app.state.files.staged(scan.sha256, VILLAGE)  # type: ignore[attr-defined]
        assert staged.stat().st_size == 16 * 1024
    _age(staged, 3 * HOUR)

    monkeypatch.setenv(STALE_UPLOAD_ENV, "2")
    with in_process_hub(tmp_path, config, port) as app:
        assert not staged.exists() and _declared(app.state.files) == set()  # type: ignore[attr-defined]
        with FileTransfer(village, url) as transfer:
            report = transfer.upload_pending()
        assert (report.uploaded, report.resumed_from, report.bytes_sent) == (1, [], scan.size)
        stored = b"".join(app.state.files.storage.read(scan.sha256))  # type: ignore[attr-defined]
        assert stored == blob_files(village).read(scan.sha256)
    village.close()


def test_a_partial_upload_whose_chunk_is_arriving_right_now_is_left_alone(tmp_path: Path) -> None:
    files, now = _hub(tmp_path), time.time()
    data = os.urandom(40_000)
    name = hashlib.sha256(data).hexdigest()
    files.receive(VILLAGE, name, 0, len(data), data[:10_000], now - 72 * HOUR)
    _age(files.staged(name, VILLAGE), 50 * HOUR)
    with files._lock_for(name, VILLAGE):  # noqa: SLF001 - what receive() holds while it appends a chunk
        assert files.clean_stale_uploads(now) == []
    assert _declared(files) == {name} and files.staged(name, VILLAGE).stat().st_size == 10_000
    assert files.clean_stale_uploads(now) == [f"{name}.{VILLAGE}"]  # the chunk never came: idle after all


@pytest.mark.parametrize("hours", ["0", "0.5", "-3", "nan", "inf", "-inf", "forty-eight"])
def test_the_stale_upload_limit_must_be_a_finite_number_of_hours_of_at_least_one(
        hours: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STALE_UPLOAD_ENV, hours)
    with pytest.raises(ValueError) as refused:
        HubEnvironment.read()
    assert STALE_UPLOAD_ENV in str(refused.value) and repr(hours) in str(refused.value)


def test_the_stale_upload_limit_is_read_in_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STALE_UPLOAD_ENV, " 1.5 ")
    assert HubEnvironment.read().stale_upload_s == 1.5 * HOUR
    monkeypatch.setenv(STALE_UPLOAD_ENV, "")
    assert HubEnvironment.read().stale_upload_s == 48 * HOUR
