"""Schema migrations upgrade a live database in place: data kept, chain links backfilled, ingest resumes."""
from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import func, insert, select

from cityhall import db
from tests.support.hubproc import HubProcess, enroll_all
from tests.support.simstation import SimStation, push, write_topology

CITYHALL_BIN = str(Path(sys.executable).parent / "cityhall")
VILLAGE = "420115100200"


def database_at_first_migration(url: str, station: SimStation, count: int) -> None:
    """What a city hall of the first release held: schema 0001 and some events already stored."""
    engine = db.make_engine(url)
    with engine.begin() as conn:
        db.migrations_table.create(conn)
        db.MIGRATIONS[0][1](conn)
        conn.execute(insert(db.migrations_table).values(name=db.MIGRATIONS[0][0], applied_at="2026-01-01T00:00:00"))
        conn.execute(insert(db.events), [
            {"seq": seq, "id": e.id, "case_no": e.case, "kind": e.kind, "station": e.station, "hlc": e.hlc,
             "body": e.to_json(), "ingested_at": 0.0} for seq, e in enumerate(station.backlog(count), start=1)])
    engine.dispose()


def test_serve_upgrades_a_live_database_and_carries_on(hub_db: str, tmp_path: Path) -> None:
    village = SimStation(VILLAGE)
    topology = write_topology(tmp_path / "stations.toml", [VILLAGE])
    database_at_first_migration(hub_db, village, 1)  # one `received`: its case is complete
    enroll_all(hub_db, {VILLAGE: village.public_key})  # `cityhall enroll` upgrades first, like serve
    engine = db.make_engine(hub_db)
    with engine.connect() as conn:
        assert [n for n, _ in db.MIGRATIONS] == list(conn.execute(select(db.migrations_table.c.name)).scalars())
        assert conn.execute(select(func.count()).select_from(db.chain_links)).scalar() == 1
    with HubProcess(hub_db, topology) as hub:
        async def push_more() -> list[dict]:
            async with httpx.AsyncClient(base_url=hub.url) as client:
                return await push(client, village, village.backlog(4))
        assert {a["status"] for a in asyncio.run(push_more())} == {"accepted"}
    with engine.connect() as conn:
        assert sorted(conn.execute(select(db.events.c.seq)).scalars()) == [1, 2, 3, 4, 5]
    engine.dispose()
    verified = subprocess.run([CITYHALL_BIN, "verify", "--db", hub_db], capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0 and f"{VILLAGE} intact 完整，5 条事件" in verified.stdout, verified.stdout
