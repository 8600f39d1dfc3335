"""SIGKILL the city hall at random moments while many stations drain at once; then converge."""
from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

from station.topology import Topology
from tests.support.convergence import Outbox, check_invariants, drain, pull_everyone
from tests.support.hubproc import HubProcess, enroll_all, kill_and_restart
from tests.support.simstation import sim_stations, township_of, village_codes, write_topology

STATIONS, EVENTS_EACH, KILLS = 16, 150, 3


def test_killing_the_hub_mid_sync_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    codes = village_codes(STATIONS, per_township=8)
    topology_file = write_topology(tmp_path / "stations.toml", codes)
    villages = sim_stations(codes)
    towns = sim_stations(sorted({township_of(c) for c in codes}), role="clerk")
    db_url = f"sqlite:///{tmp_path / 'hub.db'}"
    enroll_all(db_url, {s.code: s.public_key for s in villages + towns})
    outboxes = [Outbox(v, v.backlog(EVENTS_EACH)) for v in villages]
    hub = HubProcess(db_url, topology_file, log=tmp_path / "hub.log").start()
    try:
        killed_at: list[float] = []
        killer = kill_and_restart(hub, random.Random(11), killed_at, kills=KILLS)
        asyncio.run(drain(hub.url, outboxes, batch=10, give_up_s=90))
        drained_at = time.monotonic()
        killer.join(timeout=30)
        if hub.process is None:
            hub.start()
        asyncio.run(pull_everyone(hub.url, villages + towns))
    finally:
        hub.stop()
    assert killed_at and killed_at[0] < drained_at, "the hub was never killed while stations were draining"
    counts = check_invariants(db_url, villages + towns, Topology.load(topology_file))
    assert counts["events"] == STATIONS * EVENTS_EACH
