"""Several uvicorn workers on one database: a correct global seq and no duplicate under concurrency.

Stations push at once through ``cityhall serve --workers 3``, each batch sent twice at
the same moment (so two workers race on the same event ids), then every township pulls.
"""
from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from sqlalchemy import func, select

from cityhall import db
from tests.support.hubproc import HubProcess, enroll_all
from tests.support.simstation import SimStation, pull_all, push, sim_stations, township_of, village_codes, write_topology

STATIONS, EVENTS_EACH, BATCH = 24, 40, 10


async def push_twice_at_once(url: str, station: SimStation) -> None:
    events = station.backlog(EVENTS_EACH)
    async with httpx.AsyncClient(base_url=url, timeout=60) as first, httpx.AsyncClient(base_url=url, timeout=60) as second:
        for start in range(0, len(events), BATCH):
            batch = events[start:start + BATCH]
            answers = await asyncio.gather(push(first, station, batch), push(second, station, batch))
            per_event = [sorted(a["status"] for a in pair) for pair in zip(*answers)]
            assert all(pair == ["accepted", "duplicate"] for pair in per_event), per_event


async def drive(url: str, villages: list[SimStation], towns: list[SimStation]) -> None:
    await asyncio.gather(*(push_twice_at_once(url, v) for v in villages))
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        await asyncio.gather(*(pull_all(client, t, limit=97) for t in towns))


def test_workers_on_one_database_keep_one_gapless_seq_and_no_duplicate(hub_db: str, tmp_path: Path) -> None:
    codes = village_codes(STATIONS, per_township=8)
    topology = write_topology(tmp_path / "stations.toml", codes)
    villages = sim_stations(codes)
    towns = sim_stations(sorted({township_of(c) for c in codes}), role="clerk")
    enroll_all(hub_db, {s.code: s.public_key for s in villages + towns})
    with HubProcess(hub_db, topology, workers=3, log=tmp_path / "hub.log") as hub:
        asyncio.run(drive(hub.url, villages, towns))
    recorded = {e.id for v in villages for e in v.recorded}
    engine = db.make_engine(hub_db)
    with engine.connect() as conn:
        ids = list(conn.execute(select(db.events.c.id)).scalars())
        seqs = sorted(conn.execute(select(db.events.c.seq)).scalars())
        fseq_count, fseq_distinct = conn.execute(select(func.count(), func.count(func.distinct(db.feed.c.fseq)))).one()
    engine.dispose()
    assert len(ids) == len(set(ids)) == len(recorded) and set(ids) == recorded
    assert seqs == list(range(1, len(recorded) + 1)), "seq has a gap or a repeat"
    assert fseq_count == fseq_distinct
    for town in towns:
        mine = {e.id for v in villages if township_of(v.code) == town.code for e in v.recorded}
        assert set(town.pulled) == mine, f"township {town.code} pulled a different set than its villages pushed"
