"""The hub's store on a real SQLite file: what a push writes besides its events, and how an event
is judged that its clock sorts before others of its case."""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from cityhall import db
from cityhall.app import HubSettings, create_app
from cityhall.store import HubStore
from station.keys import public_key_text
from station.ledger import CITIZEN, Event
from station.ledger.events import new_event_id
from station.ledger.hlc import format_hlc
from tests.support.events import sample_events
from tests.support.hub import insert_case_row, topology_for

VILLAGE, TOWNSHIP = "420115102203", "420115102000"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HubStore]:
    hub: HubStore = create_app(HubSettings(f"sqlite:///{tmp_path / 'hub.db'}", topology_for(tmp_path, 1))).state.store
    yield hub
    hub.engine.dispose()


def test_a_stations_last_contact_is_stored_at_most_once_a_minute_and_always_shown_live(store: HubStore) -> None:
    store.enroll(VILLAGE, public_key_text(Ed25519PrivateKey.generate()))
    events = sample_events(6)

    def stored_contact() -> float | None:
        with store.engine.connect() as conn:
            return conn.execute(select(db.stations.c.last_contact).where(db.stations.c.code == VILLAGE)).scalar()

    start = time.time()
    for pair, now in zip((events[:2], events[2:4], events[4:]), (start, start + 59, start + 60), strict=True):
        assert {a.status for a in store.ingest(pair, VILLAGE, now)} == {"accepted"}
        store.touch(VILLAGE, now)  # what every authenticated request does (``/metrics`` reads it)
        assert store.last_contact[VILLAGE] == now
        assert stored_contact() == (start if now < start + 60 else start + 60)


def _township_event(case_no: str, kind: str, role: str, hlc_ms: int) -> Event:
    return Event(id=new_event_id(), case=case_no, kind=kind, hlc=format_hlc(hlc_ms, 0),
                 at="2026-11-23T10:00:00+08:00", station=TOWNSHIP, actor="C01", role=role, data={})


def _citizen_rating(store: HubStore, case_no: str, hlc_ms: int) -> Event:
    return Event(id=new_event_id(), case=case_no, kind="rated", hlc=format_hlc(hlc_ms, 0),
                 at="2026-11-24T10:00:00+08:00", station=store.topology.cityhall.code, actor=CITIZEN,
                 data={"level": 5})


def test_a_citizens_second_rating_is_refused_even_when_its_clock_sorts_it_before_the_first(store: HubStore) -> None:
    """Two hub workers rate one case at once, the second's clock a little behind the first's: the
    second rating sorts before the stored one, yet the case already holds a rating, so it is refused."""
    filed = sample_events(2)  # a village's `received` and `forwarded` of one case, to the township
    case_no, last_ms = filed[0].case, 1_795_400_000_000
    decided = [_township_event(case_no, "accepted", "clerk", last_ms), _township_event(case_no, "approved", "approver",
                                                                                        last_ms + 1000)]
    assert [a.status for a in store.ingest(filed, VILLAGE, time.time())] == ["accepted", "accepted"]
    assert [a.status for a in store.ingest(decided, TOWNSHIP, time.time())] == ["accepted", "accepted"]

    first, behind = _citizen_rating(store, case_no, last_ms + 3000), _citizen_rating(store, case_no, last_ms + 2000)
    hub = store.topology.cityhall.code
    assert store.ingest([first], hub, time.time())[0].status == "accepted"
    answer = store.ingest([behind], hub, time.time())[0]
    assert (answer.status, answer.reason) == ("rejected", "每个办件只能评价一次")
    state, _ = store.case_for_tracking(case_no)
    assert state is not None and [r["level"] for r in state.ratings] == [5]


def test_an_event_stamped_before_one_its_station_already_recorded_on_the_case_is_refused(store: HubStore) -> None:
    """A township that escalated a case decides nothing on it: an ``approved`` backdated to before its
    own ``escalated`` would be judged as the case stood then, and make the escalation a conflict."""
    filed = sample_events(2)
    case_no, start = filed[0].case, 1_795_400_000_000
    handled = [_township_event(case_no, "accepted", "clerk", start),
               _township_event(case_no, "escalated", "clerk", start + 2000)]
    assert [a.status for a in store.ingest(filed, VILLAGE, time.time())] == ["accepted", "accepted"]
    assert [a.status for a in store.ingest(handled, TOWNSHIP, time.time())] == ["accepted", "accepted"]

    backdated = _township_event(case_no, "approved", "approver", start + 1000)
    answer = store.ingest([backdated], TOWNSHIP, time.time())[0]

    assert answer.status == "rejected" and "时间更晚的事件" in (answer.reason or "")
    state, _ = store.case_for_tracking(case_no)
    assert state is not None and (state.status, state.handler, state.conflicts) == ("submitted", "420115000000", [])


_CODES = st.text(alphabet="0123456789", min_size=12, max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(viewers=st.sets(_CODES, min_size=1, max_size=6), probe=_CODES | st.text(alphabet="0123456789 %_\\", max_size=14))
def test_a_case_is_seen_by_exactly_its_viewers_whole_codes(store: HubStore, viewers: set[str], probe: str) -> None:
    """``cases.viewers`` holds codes side by side: a part of one, two run together or a LIKE wildcard is none of them."""
    with store.engine.connect() as conn:
        insert_case_row(conn, "420115102203202612070001X", VILLAGE, viewers)
        seen = conn.execute(select(db.cases.c.case_no).where(db.may_see(probe))).all()
        seen_by_any = conn.execute(select(db.cases.c.case_no).where(db.may_see([probe, "000000000000"]))).all()
        assert db.viewers_in(conn.execute(select(db.cases.c.viewers)).scalar_one()) == viewers
        conn.rollback()
    assert bool(seen) == (probe in viewers)
    assert bool(seen_by_any) == bool({probe, "000000000000"} & viewers)
