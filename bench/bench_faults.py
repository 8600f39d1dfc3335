"""Long crash/restart runs: stations drain while the city hall is SIGKILLed again and again.

    python bench/bench_faults.py --cycles 50                       # SQLite
    python bench/bench_faults.py --cycles 50 --db postgres --workers 2

Each cycle: every station records a fresh backlog, all push at once, and the city hall
is killed with SIGKILL at a random moment of the drain and restarted; the stations keep
re-sending whatever the hub has not answered. After each cycle the invariants are
checked: every event at the city hall exactly once, a gapless seq, nothing parked, and
every station's view (after a pull) equal to the city hall's. Prints one line per cycle
and the number of cycles survived with zero loss.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from station.topology import Topology  # noqa: E402
from tests.support.convergence import Outbox, check_invariants, drain, pull_everyone  # noqa: E402
from tests.support.hubproc import HubProcess, enroll_all, kill_and_restart  # noqa: E402
from tests.support.simstation import SimStation, sim_stations, township_of, village_codes, write_topology  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from bench_load import database  # noqa: E402


def one_cycle(hub: HubProcess, villages: list[SimStation], everyone: list[SimStation], events_each: int,
              rng: random.Random) -> bool:
    """Returns whether the kill landed while stations were still draining."""
    outboxes = [Outbox(v, v.backlog(events_each)) for v in villages]
    killed: list[float] = []
    killer = kill_and_restart(hub, rng, killed, wait_s=(0.05, 0.8), down_s=(0.0, 0.4))
    asyncio.run(drain(hub.url, outboxes, batch=rng.choice((5, 20, 100)), give_up_s=120))
    drained_at = time.monotonic()
    killer.join(timeout=60)
    asyncio.run(pull_everyone(hub.url, everyone))
    return bool(killed) and killed[0] < drained_at


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--stations", type=int, default=24)
    parser.add_argument("--events-per-station", type=int, default=60, help="new events per station per cycle")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as name, database(args.db, Path(name)) as db_url:
        folder = Path(name)
        codes = village_codes(args.stations, per_township=8)
        topology_file = write_topology(folder / "stations.toml", codes)
        topology = Topology.load(topology_file)
        villages = sim_stations(codes)
        everyone = villages + sim_stations(sorted({township_of(c) for c in codes}), role="clerk")
        enroll_all(db_url, {s.code: s.public_key for s in everyone})
        hub = HubProcess(db_url, topology_file, workers=args.workers, log=folder / "hub.log").start()
        survived = mid_drain = 0
        try:
            for cycle in range(1, args.cycles + 1):
                mid_drain += one_cycle(hub, villages, everyone, args.events_per_station, rng)
                counts = check_invariants(db_url, everyone, topology)
                survived += 1
                print(f"cycle {cycle}: {counts['events']} events, {counts['cases']} cases, exactly once, views match",
                      flush=True)
        finally:
            hub.stop()
    print(f"survived {survived}/{args.cycles} SIGKILL/restart cycles with zero loss and zero duplicates "
          f"({mid_drain} kills landed mid-drain; {args.db}, {args.workers} worker(s))")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
