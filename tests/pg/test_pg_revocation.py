"""Revocations and the restore reads on both databases: the same statements on SQLite and PostgreSQL."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from cityhall import db
from cityhall.restore import restore_page, station_standing
from cityhall.revocation import all_revocations, revoke_station
from cityhall.store import HubStore, enroll_station
from station.topology import Topology
from tests.support.demo import VILLAGE
from tests.support.hub import file_case, make_station, topology_for


def test_revocation_and_restore_reads(hub_db: str, tmp_path: Path) -> None:
    config = topology_for(tmp_path, 8700)
    village, agent, public_key = make_station(tmp_path, VILLAGE, config)
    cases = [file_case(village, agent, i, forward=i < 2) for i in range(3)]  # the last not forwarded
    events = village.store.pending_events(100)
    head = village.store.get_meta("chain_head")
    village.close()
    engine = db.make_engine(hub_db)
    db.migrate(engine)
    store = HubStore(engine, Topology.load(config))
    enroll_station(engine, VILLAGE, public_key)
    assert {a.status for a in store.ingest(events, VILLAGE, time.time())} == {"accepted"}

    standing = station_standing(engine, VILLAGE)
    assert standing["case_numbers"] == sorted(cases)
    assert standing["chain_tip"]["event_id"] == events[-1].id and standing["chain_tip"]["digest"] == head
    assert standing["chain_events"] == 5
    page, cursor, more = restore_page(engine, VILLAGE, 0, 3)
    rest, _, done = restore_page(engine, VILLAGE, cursor, 100)
    assert [e["id"] for e in page + rest] == [e.id for e in events] and more and not done

    revoke_station(engine, VILLAGE, "被盗", now=1_800_000_000.0)
    assert [(r.station, r.revoked_at) for r in all_revocations(engine)] == [(VILLAGE, 1_800_000_000.0)]
    assert store.revoked_keys(VILLAGE)[0].public_key == public_key
    with pytest.raises(ValueError, match="revoked"):
        enroll_station(engine, VILLAGE, public_key)
    engine.dispose()
