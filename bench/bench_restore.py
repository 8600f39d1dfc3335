"""A new PC's restore through the city hall, and an encrypted backup, against the sync of the same history.

    python bench/bench_restore.py                    # 2,000 cases (4,000 events)
    python bench/bench_restore.py --cases 100 --json # smoke

A village files N cases and syncs them to a city hall on loopback (SQLite); its key is
revoked and a new PC is enrolled. Timed, in one run: the first sync (the baseline: the
same events going up), ``station restore`` on the new PC, ``station backup`` of the old
home and ``station restore --from`` of that backup on a third home. Prints each time,
events per second and the backup's size per case.
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

from cityhall.revocation import revoke_station  # noqa: E402
from station.attachments import blob_files  # noqa: E402
from station.backup import write_backup  # noqa: E402
from station.recovery import new_recovery_key, write_public  # noqa: E402
from station.restore_backup import restore_from_backup  # noqa: E402
from sync.client import SyncClient  # noqa: E402
from sync.restore import restore_from_hub  # noqa: E402
from tests.support.hub import file_case, free_port, in_process_hub, make_station, topology_for  # noqa: E402

VILLAGE = "420115102203"


def run(cases: int) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        port = free_port()
        config = topology_for(root, port)
        with in_process_hub(root, config, port) as app:
            store = app.state.store  # type: ignore[attr-defined]
            old, agent, key = make_station(root / "old", VILLAGE, config)
            store.enroll(VILLAGE, key)
            for index in range(cases):
                file_case(old, agent, index)
            started = time.perf_counter()
            with SyncClient(old, give_up_after=30) as client:
                pushed = client.sync_once().pushed
            sync_s = time.perf_counter() - started

            recovery = new_recovery_key()
            write_public(old.home.root, recovery)
            backup = root / "old.ssbackup"
            started = time.perf_counter()
            write_backup(old.home, VILLAGE, old.now().isoformat(timespec="seconds"), backup, old.store_key(), blob_files(old))
            backup_s = time.perf_counter() - started
            backup_bytes = backup.stat().st_size
            old.close()

            revoke_station(store.engine, VILLAGE, "bench")
            store.forget_revocations()
            new, _, new_key = make_station(root / "new", VILLAGE, config)
            store.enroll(VILLAGE, new_key)
            started = time.perf_counter()
            report = restore_from_hub(new, give_up_after=30)
            restore_s = time.perf_counter() - started
            new.close()

            third, _, _ = make_station(root / "third", VILLAGE, config)
            started = time.perf_counter()
            from_backup = restore_from_backup(third, backup, recovery)
            backup_restore_s = time.perf_counter() - started
            third.close()
    assert report.cases == cases and report.own_events == pushed == from_backup.events
    return {"cases": cases, "events": pushed, "sync_s": round(sync_s, 3), "restore_s": round(restore_s, 3),
            "restore_vs_sync": round(restore_s / sync_s, 2), "restore_events_per_s": round(pushed / restore_s),
            "backup_s": round(backup_s, 3), "backup_bytes": backup_bytes,
            "backup_bytes_per_case": round(backup_bytes / cases), "restore_from_backup_s": round(backup_restore_s, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.cases)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>24}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
