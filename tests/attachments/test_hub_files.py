"""The city hall's file store: resumable, verified before visible, seen only through a case; S3 too."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from cityhall import db
from cityhall.app import HubSettings, create_app
from cityhall.errors import HubError
from cityhall.files import HubFiles
from cityhall.filestore import LocalStorage, S3Config, S3Storage
from sync.ratelimit import TokenBucket
from tests.support.demo import DEMO_TOPOLOGY_FILE, TOWNSHIP, VILLAGE
from tests.support.hub import insert_case_row

CASE = "4201151022032026110200015"


def _hub(tmp_path: Path, storage: object | None = None) -> HubFiles:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    db.migrate(engine)
    return HubFiles(engine, storage or LocalStorage(tmp_path / "files"), tmp_path / "staging")  # type: ignore[arg-type]


def _refer(files: HubFiles, sha256: str, viewers: tuple[str, ...] = (VILLAGE, TOWNSHIP)) -> None:
    body = json.dumps({"kind": "attached", "data": {"sha256": sha256}})
    with files.engine.begin() as conn:
        conn.execute(insert(db.events).values(seq=1, id="E1", case_no=CASE, kind="attached", station=VILLAGE,
                                              hlc="1", body=body, ingested_at=0.0))
        insert_case_row(conn, CASE, VILLAGE, viewers)


def test_chunks_resume_and_the_file_appears_only_when_its_hash_matches(tmp_path: Path) -> None:
    files, data = _hub(tmp_path), os.urandom(100_000)
    sha = hashlib.sha256(data).hexdigest()
    _refer(files, sha)
    assert files.receive(VILLAGE, sha, 0, len(data), data[:60_000], 1.0)["received"] == 60_000
    with pytest.raises(HubError) as wrong_offset:
        files.receive(VILLAGE, sha, 0, len(data), data[:1000], 2.0)
    assert (wrong_offset.value.status, wrong_offset.value.extra["received"]) == (409, 60_000)
    assert files.stored_size(sha) is None and files.status(sha, VILLAGE)["complete"] is False
    assert files.receive(VILLAGE, sha, 60_000, len(data), data[60_000:], 3.0)["complete"] is True
    assert b"".join(files.storage.read(sha)) == data and b"".join(files.storage.read(sha, 99_000)) == data[99_000:]
    assert files.may_see(TOWNSHIP, sha) and not files.may_see("420115201210", sha)


def test_bytes_that_do_not_hash_to_the_name_are_discarded(tmp_path: Path) -> None:
    files, data = _hub(tmp_path), os.urandom(5000)
    sha = hashlib.sha256(b"something else").hexdigest()
    with pytest.raises(HubError) as mismatch:
        files.receive(VILLAGE, sha, 0, len(data), data, 1.0)
    assert mismatch.value.status == 422
    assert files.stored_size(sha) is None and not files.storage.has(sha) and files.status(sha, VILLAGE)["received"] == 0


def test_file_endpoints_refuse_unsigned_requests(tmp_path: Path) -> None:
    app = create_app(HubSettings(db_url=f"sqlite:///{tmp_path / 'hub.db'}", topology_file=DEMO_TOPOLOGY_FILE))
    sha = "a" * 64
    with TestClient(app) as client:
        assert client.get(f"/api/v1/files/{sha}").status_code == 401
        assert client.put(f"/api/v1/files/{sha}", content=b"x", headers={"Content-Range": "bytes 0-0/1"}).status_code == 401
        assert client.get(f"/api/v1/files/{sha}/status").status_code == 401


def test_s3_storage_holds_verified_files(tmp_path: Path) -> None:
    moto_server = pytest.importorskip("moto.server")
    boto3 = pytest.importorskip("boto3")
    server = moto_server.ThreadedMotoServer(port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
        client = boto3.client("s3", endpoint_url=f"http://{host}:{port}", region_name="us-east-1")
        client.create_bucket(Bucket="cityhall")
        files = _hub(tmp_path, S3Storage(S3Config(f"http://{host}:{port}", "cityhall"), client))
        data = os.urandom(300_000)
        sha = hashlib.sha256(data).hexdigest()
        files.receive(VILLAGE, sha, 0, len(data), data[:200_000], 1.0)
        assert not files.storage.has(sha)
        files.receive(VILLAGE, sha, 200_000, len(data), data[200_000:], 2.0)
        assert files.storage.size(sha) == len(data)
        assert b"".join(files.storage.read(sha, 123)) == data[123:]
        assert client.list_objects_v2(Bucket="cityhall")["KeyCount"] == 1
    finally:
        server.stop()


def test_token_bucket_holds_the_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(8000, burst=4096, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    for _ in range(20):
        bucket.take(4096)
    assert 20 * 4096 / 8000 - 0.6 <= now[0] <= 20 * 4096 / 8000
