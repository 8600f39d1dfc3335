"""City hall under load: N stations, each with a backlog, all reconnecting at once.

    python bench/bench_load.py --db sqlite --stations 64 --events-per-station 200 --concurrency 1,8,64
    python bench/bench_load.py --db postgres --stations 500 --events-per-station 200 --concurrency 64 --workers 2

For each concurrency level: a fresh database and ``cityhall serve`` process; every
station pushes its whole backlog (signed gzip batches, re-sent on any error, marked sent
only on the hub's answer), then every station and township pulls. Prints events/s at the
hub, p50/p99 of push and pull, and the drain time; then checks that every event is at the
city hall exactly once with a gapless seq, and that each station's view of its cases
(folded from what it recorded and pulled) matches the city hall's.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from station.topology import Topology  # noqa: E402
from tests.support.convergence import Outbox, check_invariants, drain, pull_everyone  # noqa: E402
from tests.support.hubproc import HubProcess, enroll_all  # noqa: E402
from tests.support.simstation import sim_stations, township_of, village_codes, write_topology  # noqa: E402


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'hub.db'}"
        return
    from tests.pg.conftest import fresh_pg_database
    from tests.support.postgres import postgres_server
    with postgres_server() as server:
        yield fresh_pg_database(server)


def run_level(args: argparse.Namespace, concurrency: int, folder: Path) -> dict[str, float]:
    codes = village_codes(args.stations)
    topology_file = write_topology(folder / "stations.toml", codes)
    villages = sim_stations(codes)
    towns = sim_stations(sorted({township_of(c) for c in codes}), role="clerk")
    outboxes = [Outbox(v, v.backlog(args.events_per_station)) for v in villages]
    with database(args.db, folder) as db_url:
        enroll_all(db_url, {s.code: s.public_key for s in villages + towns})
        with HubProcess(db_url, topology_file, workers=args.workers, log=folder / "hub.log") as hub:
            started = time.perf_counter()
            push_latencies = asyncio.run(drain(hub.url, outboxes, batch=args.batch, concurrency=concurrency,
                                               give_up_s=600))
            drained_s = time.perf_counter() - started
            pull_latencies = asyncio.run(pull_everyone(hub.url, villages + towns, concurrency=concurrency))
        counts = check_invariants(db_url, villages + towns, Topology.load(topology_file))
    return {"events": counts["events"], "drain_s": drained_s, "events_per_s": counts["events"] / drained_s,
            "push_p50_ms": 1000 * percentile(push_latencies, 0.5), "push_p99_ms": 1000 * percentile(push_latencies, 0.99),
            "pull_p50_ms": 1000 * percentile(pull_latencies, 0.5), "pull_p99_ms": 1000 * percentile(pull_latencies, 0.99),
            "pushes": len(push_latencies)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--stations", type=int, default=64)
    parser.add_argument("--events-per-station", type=int, default=200)
    parser.add_argument("--concurrency", default="1,8,64", help="comma-separated levels of concurrent stations")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of the city hall")
    parser.add_argument("--batch", type=int, default=100, help="events per push")
    args = parser.parse_args()
    print(f"# {args.db}, {args.stations} stations × {args.events_per_station} events, {args.workers} worker(s), "
          f"batch {args.batch}")
    print(f"{'concurrency':>11} {'events':>7} {'drain s':>8} {'events/s':>9} {'push p50':>9} {'push p99':>9} "
          f"{'pull p50':>9} {'pull p99':>9}  check")
    for level in (int(x) for x in args.concurrency.split(",")):
        with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
            row = run_level(args, level, Path(folder))
        print(f"{level:>11} {row['events']:>7} {row['drain_s']:>8.2f} {row['events_per_s']:>9.0f} "
              f"{row['push_p50_ms']:>7.1f}ms {row['push_p99_ms']:>7.1f}ms {row['pull_p50_ms']:>7.1f}ms "
              f"{row['pull_p99_ms']:>7.1f}ms  exactly once, views match", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
