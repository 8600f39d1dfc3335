"""Schema migrations upgrade a live database in place: data kept, chain links backfilled, ingest resumes."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import (BigInteger, Column, Engine, Index, MetaData, String, Table, delete, func, insert, inspect,
                        select)

from cityhall import db
from cityhall.app import HubSettings, create_app
from cityhall.store import HubStore
from station.keys import public_key_text
from tests.support.events import sample_events
from tests.support.hub import topology_for
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
        assert sorted(n for n, _ in db.MIGRATIONS) == sorted(conn.execute(select(db.migrations_table.c.name)).scalars())
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


_BEFORE_LEAN_KEYS = MetaData()
"""The four tables and the lock as migration 0009 found them: rowid tables, the feed keyed by fseq alone."""
Table("feed", _BEFORE_LEAN_KEYS, Column("fseq", BigInteger, primary_key=True, autoincrement=False),
      Column("station", String(12), nullable=False), Column("event_seq", BigInteger, nullable=False),
      Index("feed_by_station", "station", "fseq"))
Table("case_viewers", _BEFORE_LEAN_KEYS, Column("case_no", String(25), primary_key=True),
      Column("station", String(12), primary_key=True))
Table("cases", _BEFORE_LEAN_KEYS, Column("case_no", String(25), primary_key=True),
      Column("origin", String(12), nullable=False), Column("token_hash", String(64), nullable=False),
      Column("status", String(32), nullable=False), Column("last_hlc", String(32), nullable=False))
Table("chain_links", _BEFORE_LEAN_KEYS, Column("event_id", String(64), primary_key=True),
      Column("station", String(12), primary_key=True, index=True), Column("digest", String(64), nullable=False),
      Column("prev", String(64), nullable=False), Column("hlc", String(64), nullable=False))


def back_to_the_shape_before_viewers_on_cases(engine: Engine) -> None:
    """A row per case and viewer again (``case_viewers``), no ``cases.viewers``, and 0011 forgotten."""
    with engine.begin() as conn:
        viewers = [{"case_no": case_no, "station": station}
                   for case_no, text in conn.execute(select(db.cases.c.case_no, db.cases.c.viewers))
                   for station in db.viewers_in(text)]
        db.legacy_case_viewers.create(conn)
        conn.execute(insert(db.legacy_case_viewers), viewers)
        conn.exec_driver_sql("ALTER TABLE cases DROP COLUMN viewers")
        conn.execute(delete(db.migrations_table).where(db.migrations_table.c.name == "0011_viewers_on_cases"))


def back_to_the_shape_before_lean_keys(engine: Engine) -> None:
    """Rebuild the tables 0009 changes as they were before it, rows kept (a feed run as its single
    deliveries), and forget that it, 0010 and 0011 ran."""
    back_to_the_shape_before_viewers_on_cases(engine)
    with engine.begin() as conn:
        for old in _BEFORE_LEAN_KEYS.sorted_tables:
            rows = [dict(row._mapping) for row in conn.exec_driver_sql(f"SELECT * FROM {old.name}")]
            if old.name == "feed":
                rows = [{"fseq": row["fseq"] - back, "station": row["station"], "event_seq": row["event_seq"] - back}
                        for row in rows for back in range(row["span"])]
            conn.exec_driver_sql(f"DROP TABLE {old.name}")
            old.create(conn)
            if rows:
                conn.execute(insert(old), rows)
        for column in ("next_seq", "next_fseq"):
            conn.exec_driver_sql(f"ALTER TABLE hub_lock DROP COLUMN {column}")
        conn.execute(delete(db.migrations_table).where(db.migrations_table.c.name.in_(["0009_lean_keys",
                                                                                       "0010_feed_runs"])))


def everything_pulled(store: HubStore) -> dict[str, list[tuple[str, str]]]:
    pages = {code: store.pull(code, 0, 10_000) for code in _VIEWERS}
    assert not any(page.more for page in pages.values())
    return {code: [(e["station"], e["id"]) for e in page.events] for code, page in pages.items()}


_VIEWERS = ("420115102000", "420115000000", "420100000000")
"""The demo village's township, county and city: who pulls a village's events."""


def test_lean_keys_keeps_every_row_and_the_pull_and_ingest_carries_on(hub_db: str, tmp_path: Path) -> None:
    events = sample_events(60)
    store = create_app(HubSettings(hub_db, topology_for(tmp_path, 1))).state.store
    store.enroll("420115102203", public_key_text(Ed25519PrivateKey.generate()))
    assert {a.status for a in store.ingest(events[:40], "420115102203", time.time())} == {"accepted"}
    pulled_before = everything_pulled(store)
    store.engine.dispose()
    back_to_the_shape_before_lean_keys(db.make_engine(hub_db))

    engine = db.make_engine(hub_db)
    assert db.migrate(engine) == ["0009_lean_keys", "0010_feed_runs", "0011_viewers_on_cases"]
    schema = inspect(engine)
    assert schema.get_pk_constraint("feed")["constrained_columns"] == ["station", "fseq"]
    assert schema.get_pk_constraint("chain_links")["constrained_columns"] == ["station", "event_id"]
    assert schema.get_indexes("feed") == [] and schema.get_indexes("chain_links") == []
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            lean = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE sql LIKE '%WITHOUT ROWID%'").scalars()
            assert set(lean) == {"feed", "cases", "chain_links"}
    engine.dispose()

    store = create_app(HubSettings(hub_db, topology_for(tmp_path, 1))).state.store
    assert everything_pulled(store) == pulled_before
    assert {a.status for a in store.ingest(events[40:], "420115102203", time.time())} == {"accepted"}
    pulled_after = everything_pulled(store)
    for code in _VIEWERS:
        assert pulled_after[code][:len(pulled_before[code])] == pulled_before[code]
        assert len(pulled_after[code]) == 60
    with store.engine.connect() as conn:
        assert sorted(conn.execute(select(db.events.c.seq)).scalars()) == list(range(1, 61))
        rows = conn.execute(select(db.feed.c.fseq, db.feed.c.span)).all()
        assert len({fseq for fseq, _ in rows}) == len(rows) and sum(span for _, span in rows) == 180
        assert len(rows) == 120 + 3  # the 40 deliveries before as they were; the 20 after, one run per viewer
    store.engine.dispose()


def test_viewers_on_cases_keeps_who_sees_each_case_and_ingest_carries_on(hub_db: str, tmp_path: Path) -> None:
    events = sample_events(60)
    store = create_app(HubSettings(hub_db, topology_for(tmp_path, 1))).state.store
    store.enroll("420115102203", public_key_text(Ed25519PrivateKey.generate()))
    assert {a.status for a in store.ingest(events[:40], "420115102203", time.time())} == {"accepted"}
    with store.engine.connect() as conn:
        seen_before = dict(conn.execute(select(db.cases.c.case_no, db.cases.c.viewers)).all())
    assert seen_before and all(db.viewers_in(text) >= {"420115102203", *_VIEWERS} for text in seen_before.values())
    store.engine.dispose()
    back_to_the_shape_before_viewers_on_cases(db.make_engine(hub_db))

    engine = db.make_engine(hub_db)
    assert db.migrate(engine) == ["0011_viewers_on_cases"]
    assert "case_viewers" not in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert dict(conn.execute(select(db.cases.c.case_no, db.cases.c.viewers)).all()) == seen_before
        for station in ("420115102203", *_VIEWERS):
            visible = select(func.count()).select_from(db.cases).where(db.may_see(station))
            assert conn.execute(visible).scalar() == len(seen_before)
        assert conn.execute(select(func.count()).select_from(db.cases).where(db.may_see("420115102204"))).scalar() == 0
    engine.dispose()

    store = create_app(HubSettings(hub_db, topology_for(tmp_path, 1))).state.store
    assert {a.status for a in store.ingest(events[40:], "420115102203", time.time())} == {"accepted"}
    assert all(len(events) == 60 for events in everything_pulled(store).values())
    store.engine.dispose()
