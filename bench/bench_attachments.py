"""Attachment upload over a poor link (DESIGN §8 style): time against bytes ÷ bandwidth.

    python bench/bench_attachments.py                      # 20 MB of scans, 64 kbit/s, 300 ms RTT (~45 min)
    python bench/bench_attachments.py --megabytes 1        # ~2 min
    python bench/bench_attachments.py --megabytes 0.1 --json   # smoke

A village files a case and attaches A4 scans (reduced for the wire) until their wire
copies reach the size asked for; ``station sync`` pushes the events, then the file
uploader sends the files through a loopback proxy that behaves like the link. Prints the
upload time, the ideal time (wire-copy bytes × 8 ÷ bit rate), their ratio, bytes on the
wire, and whether the case's events reached the city hall before the first file byte.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from cityhall import db  # noqa: E402
from station.attachments import attach_files  # noqa: E402
from sync.client import SyncClient  # noqa: E402
from sync.files import FileTransfer  # noqa: E402
from tests.attachments.scans import a4_scan  # noqa: E402
from tests.support.hub import file_case, free_port, in_process_hub, make_station, topology_for  # noqa: E402
from tests.support.netproxy import ThreadedNetProxy  # noqa: E402

VILLAGE = "420115102203"
PAGE_150DPI = (1240, 1754)


def attach_scans(service, operator, case_no: str, folder: Path, target_bytes: int) -> int:  # noqa: ANN001
    """Attach scans until the wire copies add up to ``target_bytes``; returns their total."""
    total, seed = 0, 0
    small = target_bytes < 400_000
    while total < target_bytes:
        seed += 1
        size = (620, 877) if small else PAGE_150DPI
        path = folder / f"page-{seed:03d}.jpg"
        path.write_bytes(a4_scan(seed, size=size))
        total += attach_files(service, operator, case_no, "application_form", [path])[0].size
    return total


def run(megabytes: float, bandwidth_bps: int, latency_s: float) -> dict[str, float | int | bool]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        port = free_port()
        config = topology_for(folder, port)
        with in_process_hub(folder, config, port) as app:
            village, agent, key = make_station(folder, VILLAGE, config)
            app.state.store.enroll(VILLAGE, key)
            case_no = file_case(village, agent)
            wire_bytes = attach_scans(village, agent, case_no, folder, int(megabytes * 1024 * 1024))
            with ThreadedNetProxy(port, bandwidth_bps=bandwidth_bps, latency_s=latency_s) as proxy:
                url = f"http://127.0.0.1:{proxy.port}"
                with SyncClient(village, url) as client:
                    client.sync_once()
                before = proxy.stats.bytes_up
                started = time.monotonic()
                with FileTransfer(village, url, give_up_after=120) as transfer:
                    report = transfer.upload_pending()
                elapsed = time.monotonic() - started
                on_wire = proxy.stats.bytes_up - before
            with app.state.store.engine.connect() as conn:
                last_event = conn.execute(select(func.max(db.events.c.ingested_at))
                                          .where(db.events.c.case_no == case_no)).scalar()
            first_file = app.state.files.first_file_started_at()
            village.close()
    ideal = wire_bytes * 8 / bandwidth_bps
    return {"files": report.uploaded, "wire_bytes": wire_bytes, "bytes_on_wire_up": on_wire,
            "upload_s": round(elapsed, 2), "ideal_s": round(ideal, 2), "ratio": round(elapsed / ideal, 3),
            "events_before_first_file": bool(last_event is not None and first_file is not None and last_event <= first_file),
            "events_lead_s": round((first_file or 0) - (last_event or 0), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=20.0, help="wire-copy megabytes of scans to upload")
    parser.add_argument("--bandwidth-bps", type=int, default=64_000, help="link speed in bits/s")
    parser.add_argument("--rtt-ms", type=float, default=300.0, help="round-trip time of the link")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.megabytes, args.bandwidth_bps, args.rtt_ms / 2000)
    if args.json:
        print(json.dumps(result))
        return
    print(f"attachment upload: {result['files']} files, {result['wire_bytes']} bytes of wire copies, "
          f"{result['bytes_on_wire_up']} bytes on the wire up")
    print(f"upload over {args.bandwidth_bps / 1000:g} kbit/s, {args.rtt_ms:g} ms RTT: {result['upload_s']} s; "
          f"baseline bytes ÷ bandwidth {result['ideal_s']} s; ratio {result['ratio']} (budget ≤ 1.25)")
    print(f"case events reached the city hall before the first file byte: {result['events_before_first_file']} "
          f"(lead {result['events_lead_s']} s)")


if __name__ == "__main__":
    main()
