"""A village attaches three scans; the link drops mid-upload and comes back; the upload resumes
where it stopped; the township opens the case and gets byte-identical files."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from cityhall import db
from station.attachments import AUTHORISATION, attach_files, blob_files, list_attachments
from sync.client import SyncClient
from sync.files import AdaptiveChunk, FileTransfer
from tests.support.demo import OTHER_VILLAGE, TOWNSHIP, VILLAGE
from tests.support.hub import file_case, free_port, in_process_hub, make_station, topology_for
from tests.support.netproxy import ThreadedNetProxy

CHUNK = 32 * 1024


def _cut_link_once(link: ThreadedNetProxy, proxy: object, after_bytes_up: int, down_for_s: float) -> threading.Thread:
    def watch() -> None:
        while proxy.stats.bytes_up < after_bytes_up:  # type: ignore[attr-defined]
            time.sleep(0.005)
        proxy.refuse = True  # type: ignore[attr-defined]
        link.drop_all()
        time.sleep(down_for_s)
        proxy.refuse = False  # type: ignore[attr-defined]
    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_scans_resume_after_a_drop_and_reach_the_township_byte_identical(tmp_path: Path, scan_dir: Path) -> None:
    port = free_port()
    config = topology_for(tmp_path, port)
    with in_process_hub(tmp_path, config, port) as app:
        village, agent, village_key = make_station(tmp_path, VILLAGE, config)
        township, _, township_key = make_station(tmp_path, TOWNSHIP, config, role="clerk", agent="C01")
        stranger, _, stranger_key = make_station(tmp_path, OTHER_VILLAGE, config)
        for code, key in ((VILLAGE, village_key), (TOWNSHIP, township_key), (OTHER_VILLAGE, stranger_key)):
            app.state.store.enroll(code, key)  # type: ignore[attr-defined]
        case_no = file_case(village, agent)
        attached = [
            *attach_files(village, agent, case_no, "id_and_hukou", [scan_dir / "户口本.jpg"]),
            *attach_files(village, agent, case_no, "application_form", [scan_dir / "申请表.png"]),
            *attach_files(village, agent, case_no, AUTHORISATION, [scan_dir / "委托书.pdf"]),
        ]
        total = sum(a.size for a in attached)

        link = ThreadedNetProxy(port, bandwidth_bps=4_000_000)
        with link as proxy:
            url = f"http://127.0.0.1:{proxy.port}"
            with SyncClient(village, url) as client:
                assert client.sync_once().pushed >= 3
            _cut_link_once(link, proxy, proxy.stats.bytes_up + attached[0].size // 2, down_for_s=0.6)
            with FileTransfer(village, url, chunk=AdaptiveChunk(CHUNK, CHUNK, CHUNK)) as transfer:
                report = transfer.upload_pending()
        assert proxy.stats.dropped >= 1
        assert report.uploaded == 3 and report.pending == 0
        assert report.resumed_from and report.resumed_from[0] >= attached[0].size * 0.4
        resent = report.bytes_sent - total
        print(f"first file {attached[0].size} B, resumed from {report.resumed_from}, re-sent {resent} B")
        assert 0 < resent <= CHUNK, f"re-sent {resent} bytes of a {attached[0].size}-byte file"

        engine = app.state.store.engine  # type: ignore[attr-defined]
        with engine.connect() as conn:
            last_event = conn.execute(select(func.max(db.events.c.ingested_at)).where(db.events.c.case_no == case_no)).scalar()
        assert last_event <= app.state.files.first_file_started_at()  # type: ignore[attr-defined]

        hub_url = f"http://127.0.0.1:{port}"
        with SyncClient(township, hub_url) as client:
            client.sync_once()
        assert all(row["path"] is None for row in list_attachments(township, case_no))
        with FileTransfer(township, hub_url) as transfer:
            fetched = transfer.fetch_case(case_no)
        assert fetched.fetched == 3 and not fetched.errors
        rows = list_attachments(township, case_no)
        for row, sent in zip(rows, attached):
            assert Path(row["path"]).read_bytes() == blob_files(village).read(sent.sha256)
        assert Path(rows[2]["path"]).read_bytes() == (scan_dir / "委托书.pdf").read_bytes()

        with FileTransfer(stranger, hub_url) as transfer:  # a village of another township may not have them
            assert not transfer.fetch_one(attached[2].sha256, "application/pdf")
        token = village.store.token(case_no)
        tracking = httpx.get(f"{hub_url}/api/v1/track/{case_no}/{token}").text
        assert attached[0].sha256 not in tracking and "attach" not in tracking
        for service in (village, township, stranger):
            service.close()
