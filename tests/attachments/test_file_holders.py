"""A file's hash is no key to it: a station gets a scan only through a case whose attachment is
backed by a station that really sent those bytes (or one that may see the case and did).

Real stations against a real hub on loopback: a village of another township names the
village's scan in an ``attached`` event of its own case and tries to download it.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import httpx
from sqlalchemy import insert

from cityhall import db
from cityhall.files import HubFiles
from cityhall.filestore import LocalStorage
from station.attachments import attach_files
from station.service import StationService
from sync.client import SyncClient
from sync.files import FileTransfer
from sync.signing import signed_headers
from tests.support.demo import OTHER_VILLAGE, TOWNSHIP, VILLAGE, VILLAGE_2
from tests.support.hub import file_case, free_port, in_process_hub, insert_case_row, make_station, topology_for


def _name_a_file(service: StationService, case_no: str, sha256: str, size: int) -> None:
    """What a tampered station can do: record an ``attached`` event naming any hash it has seen."""
    operator = service.sign_in("A01", "1234")
    data = {"material": "id_and_hukou", "sha256": sha256, "size": size, "type": "image/jpeg", "name": "借来的.jpg"}
    with service.store.write():
        service._record_local(service._new_event(case_no, "attached", operator, data))  # noqa: SLF001


def test_a_station_that_names_another_townships_scan_cannot_download_it(tmp_path: Path, scan_dir: Path) -> None:
    port = free_port()
    config = topology_for(tmp_path, port)
    url = f"http://127.0.0.1:{port}"
    with in_process_hub(tmp_path, config, port) as app:
        village, agent, village_key = make_station(tmp_path, VILLAGE, config)
        stranger, stranger_agent, stranger_key = make_station(tmp_path, OTHER_VILLAGE, config)
        township, _, township_key = make_station(tmp_path, TOWNSHIP, config, role="approver", agent="P01")
        for code, key in ((VILLAGE, village_key), (OTHER_VILLAGE, stranger_key), (TOWNSHIP, township_key)):
            app.state.store.enroll(code, key)  # type: ignore[attr-defined]
        case_no = file_case(village, agent)
        [scan] = attach_files(village, agent, case_no, "id_and_hukou", [scan_dir / "户口本.jpg"])
        with SyncClient(village, url) as client:
            client.sync_once()
        with FileTransfer(village, url) as transfer:
            assert transfer.upload_pending().uploaded == 1

        own_case = file_case(stranger, stranger_agent)
        _name_a_file(stranger, own_case, scan.sha256, scan.size)
        with SyncClient(stranger, url) as client:
            assert client.sync_once().rejected == 0  # the event itself is a well-formed note of its own case
        with FileTransfer(stranger, url) as transfer:
            assert not transfer.fetch_one(scan.sha256, "image/jpeg")
            assert transfer.report.not_on_hub == [scan.sha256]
            # nor may it pass itself off as a holder: the hub asks for the bytes, and it has none to send
            status = transfer._json("GET", f"/api/v1/files/{scan.sha256}/status")  # noqa: SLF001
            assert status["complete"] is False and status["received"] == 0
        path = f"/api/v1/files/{scan.sha256}"
        signed = signed_headers(stranger.signing_key(), OTHER_VILLAGE, "GET", path, b"", time.time())
        assert httpx.get(url + path, headers=signed).status_code == 404

        with SyncClient(township, url) as client:  # the village's own township still gets it
            client.sync_once()
        with FileTransfer(township, url) as transfer:
            assert transfer.fetch_one(scan.sha256, "image/jpeg")
        for service in (village, stranger, township):
            service.close()


# -- the rule itself, on the hub's file store --------------------------------------------

CASE_V = "4201151022032026110200015"
CASE_W = "4201151022042026110200011"
CASE_X = "4201152012102026110200012"


def _hub(tmp_path: Path) -> HubFiles:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    db.migrate(engine)
    return HubFiles(engine, LocalStorage(tmp_path / "files"), tmp_path / "staging")


def _attached(files: HubFiles, seq: int, case_no: str, station: str, sha256: str, viewers: tuple[str, ...]) -> None:
    body = json.dumps({"kind": "attached", "station": station, "data": {"sha256": sha256}})
    with files.engine.begin() as conn:
        conn.execute(insert(db.events).values(seq=seq, id=f"E{seq}", case_no=case_no, kind="attached",
                                              station=station, hlc=str(seq), body=body, ingested_at=0.0))
        insert_case_row(conn, case_no, station, viewers)


def test_the_township_that_carried_the_stick_makes_its_villages_attachment_count(tmp_path: Path) -> None:
    files, data = _hub(tmp_path), os.urandom(30_000)
    sha = hashlib.sha256(data).hexdigest()
    _attached(files, 1, CASE_V, VILLAGE, sha, (VILLAGE, TOWNSHIP))
    assert files.receive(TOWNSHIP, sha, 0, len(data), data, 1.0)["complete"]  # the village had no link
    assert files.may_see(VILLAGE, sha) and files.may_see(TOWNSHIP, sha)
    assert files.status(sha, VILLAGE)["complete"]  # the village, online later, need not send it again


def test_a_second_station_with_the_same_bytes_proves_it_by_sending_them(tmp_path: Path) -> None:
    files, data = _hub(tmp_path), os.urandom(30_000)
    sha = hashlib.sha256(data).hexdigest()
    _attached(files, 1, CASE_V, VILLAGE, sha, (VILLAGE, TOWNSHIP))
    _attached(files, 2, CASE_X, OTHER_VILLAGE, sha, (OTHER_VILLAGE,))
    files.receive(VILLAGE, sha, 0, len(data), data, 1.0)
    assert not files.may_see(OTHER_VILLAGE, sha)
    assert files.status(sha, OTHER_VILLAGE) == {"sha256": sha, "received": 0, "size": None, "complete": False}
    forged = os.urandom(len(data))
    files.receive(OTHER_VILLAGE, sha, 0, len(data), forged[:10_000], 2.0)
    try:
        files.receive(OTHER_VILLAGE, sha, 10_000, len(data), forged[10_000:], 3.0)
    except Exception as refused:  # noqa: BLE001 - HubError 422, checked below
        assert getattr(refused, "status", None) == 422
    assert not files.may_see(OTHER_VILLAGE, sha)
    assert b"".join(files.storage.read(sha)) == data  # the stored file never changed
    assert files.receive(OTHER_VILLAGE, sha, 0, len(data), data, 4.0)["complete"]
    assert files.may_see(OTHER_VILLAGE, sha)


def test_nobody_can_add_to_or_finish_another_stations_upload(tmp_path: Path) -> None:
    files, data = _hub(tmp_path), os.urandom(30_000)
    sha = hashlib.sha256(data).hexdigest()
    _attached(files, 1, CASE_V, VILLAGE, sha, (VILLAGE, TOWNSHIP))
    _attached(files, 2, CASE_W, VILLAGE_2, sha, (VILLAGE_2,))
    files.receive(VILLAGE, sha, 0, len(data), data[:20_000], 1.0)
    assert files.status(sha, VILLAGE_2)["received"] == 0  # the other village starts from its own byte 0
    files.receive(VILLAGE_2, sha, 0, len(data), b"\0" * 5_000, 2.0)
    assert files.receive(VILLAGE, sha, 20_000, len(data), data[20_000:], 3.0)["complete"]
    assert files.may_see(TOWNSHIP, sha) and not files.may_see(VILLAGE_2, sha)


def test_an_older_hub_upgrades_in_place_keeping_its_files_and_uploads_under_way(tmp_path: Path) -> None:
    from cityhall.files import _first_tables

    engine = db.make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    db.migrate(engine, [m for m in db.MIGRATIONS if not m[0].startswith("files_")])
    stored, partial = os.urandom(5000), os.urandom(8000)
    stored_sha, partial_sha = hashlib.sha256(stored).hexdigest(), hashlib.sha256(partial).hexdigest()
    with engine.begin() as conn:  # the file tables as the first release left them
        _first_tables(conn)
        conn.execute(insert(db.migrations_table).values(name="files_0001_tables", applied_at="2026-11-01T00:00:00Z"))
        conn.exec_driver_sql("INSERT INTO files VALUES (?, ?, ?, 1.0, 2.0)", (stored_sha, len(stored), VILLAGE))
        conn.exec_driver_sql("INSERT INTO file_uploads VALUES (?, ?, ?, 1.0)", (partial_sha, len(partial), VILLAGE))
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / partial_sha).write_bytes(partial[:3000])  # staged under the file's name alone
    storage = LocalStorage(tmp_path / "files")
    (tmp_path / "stored").write_bytes(stored)
    storage.commit(stored_sha, tmp_path / "stored")

    assert db.migrate(engine) == ["files_0002_holders"]
    files = HubFiles(engine, storage, staging)
    _attached(files, 1, CASE_V, VILLAGE, stored_sha, (VILLAGE, TOWNSHIP))
    _attached(files, 2, CASE_W, VILLAGE, partial_sha, (VILLAGE,))
    assert files.may_see(TOWNSHIP, stored_sha)  # its first uploader became its holder
    assert files.status(partial_sha, VILLAGE)["received"] == 3000  # the upload carries on from where it was
    assert files.receive(VILLAGE, partial_sha, 3000, len(partial), partial[3000:], 3.0)["complete"]
