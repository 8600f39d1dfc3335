"""Pushing backlogs like a station's outbox (marked sent only on the hub's answer) and the run's invariants."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import httpx
from sqlalchemy import func, select

from cityhall import db
from station.ledger import Event
from station.topology import Topology
from tests.support.simstation import SimStation, pull_all, push

__all__ = ["Outbox", "drain", "check_invariants"]


@dataclass
class Outbox:
    """A simulated station's queue: events leave it only when the hub has answered for them."""

    station: SimStation
    pending: list[Event] = field(default_factory=list)

    def answered(self, results: list[dict]) -> None:
        done = {r["id"] for r in results if r["status"] in ("accepted", "duplicate", "parked")}
        self.pending = [e for e in self.pending if e.id not in done]


async def drain(url: str, outboxes: list[Outbox], batch: int = 50, concurrency: int = 64,
                give_up_s: float = 60.0) -> list[float]:
    """Push every outbox empty, retrying on any transport error or 5xx; returns push latencies (s)."""
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        await asyncio.gather(*(_drain_one(client, box, batch, gate, latencies, give_up_s) for box in outboxes))
    return latencies


async def _drain_one(client: httpx.AsyncClient, box: Outbox, batch: int, gate: asyncio.Semaphore,
                     latencies: list[float], give_up_s: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + give_up_s
    while box.pending:
        async with gate:
            started = loop.time()
            try:
                box.answered(await push(client, box.station, box.pending[:batch]))
                latencies.append(loop.time() - started)
                continue
            except (httpx.TransportError, httpx.HTTPStatusError):
                if loop.time() > deadline:
                    raise
        await asyncio.sleep(0.2)


async def pull_everyone(url: str, stations: list[SimStation], concurrency: int = 64) -> list[float]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(client: httpx.AsyncClient, station: SimStation) -> None:
        async with gate:
            started = asyncio.get_running_loop().time()
            await pull_all(client, station)
            latencies.append(asyncio.get_running_loop().time() - started)

    async with httpx.AsyncClient(base_url=url, timeout=60, limits=httpx.Limits(max_connections=concurrency)) as client:
        await asyncio.gather(*(one(client, s) for s in stations))
    return latencies


def check_invariants(db_url: str, stations: list[SimStation], topology: Topology) -> dict[str, int]:
    """Nothing lost, nothing duplicated, every station's view equals the hub's. Raises AssertionError."""
    recorded = {e.id: e for s in stations for e in s.recorded}
    engine = db.make_engine(db_url)
    with engine.connect() as conn:
        ids = list(conn.execute(select(db.events.c.id)).scalars())
        seqs = sorted(conn.execute(select(db.events.c.seq)).scalars())
        hub_status = dict(conn.execute(select(db.cases.c.case_no, db.cases.c.status)).all())
        parked = conn.execute(select(func.count()).select_from(db.parked)).scalar()
    engine.dispose()
    assert len(ids) == len(set(ids)), "an event is stored twice"
    assert set(ids) == set(recorded), f"lost {len(set(recorded) - set(ids))}, unknown {len(set(ids) - set(recorded))}"
    assert seqs == list(range(1, len(seqs) + 1)), "seq has a gap or a repeat"
    assert parked == 0
    mismatches = [(s.code, case) for s in stations for case, state in s.view(topology).items()
                  if hub_status.get(case) != state.status]
    assert not mismatches, f"views differ from the hub's: {mismatches[:5]}"
    return {"events": len(ids), "cases": len(hub_status)}
