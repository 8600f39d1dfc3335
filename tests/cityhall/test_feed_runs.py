"""The pull feed stores runs of deliveries (``feed.span``): what a station pulls, page by page and
from any cursor, is exactly the single deliveries those runs stand for, in their order."""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from cityhall import db
from cityhall.app import HubSettings, create_app
from cityhall.store import HubStore, deliveries_after, feed_runs
from station.keys import public_key_text
from tests.support.events import sample_events
from tests.support.hub import topology_for

VILLAGE = "420115102203"
_VIEWERS = ("420115102000", "420115000000", "420100000000")

_SEQ_LISTS = st.lists(st.integers(1, 60), max_size=40).map(lambda seqs: list(dict.fromkeys(seqs)))
"""A viewer's deliveries: distinct event seqs, in any order (a newcomer gets earlier events first)."""


@given(st.dictionaries(st.sampled_from(_VIEWERS), _SEQ_LISTS), st.integers(1, 1000), st.integers(0, 80),
       st.integers(1, 30))
def test_runs_stand_for_exactly_the_deliveries_and_a_pull_from_any_cursor_reads_them_in_order(
        deliveries: dict[str, list[int]], first_fseq: int, cursor_offset: int, limit: int) -> None:
    rows, next_fseq = feed_runs(deliveries, first_fseq)
    assert next_fseq == first_fseq + sum(len(seqs) for seqs in deliveries.values())
    for station, seqs in deliveries.items():
        runs = sorted((fseq, event_seq, span) for fseq, who, event_seq, span in rows if who == station)
        singles = [(fseq - back, event_seq - back) for fseq, event_seq, span in runs for back in range(span - 1, -1, -1)]
        assert [seq for _, seq in singles] == seqs
        assert [fseq for fseq, _ in singles] == sorted(fseq for fseq, _ in singles)
        after = first_fseq - 1 + cursor_offset
        assert deliveries_after(runs, after, limit) == [d for d in singles if d[0] > after][:limit]
    all_fseqs = [fseq - back for fseq, _, _, span in rows for back in range(span)]
    assert len(all_fseqs) == len(set(all_fseqs)), "two deliveries share an fseq"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HubStore]:
    hub: HubStore = create_app(HubSettings(f"sqlite:///{tmp_path / 'hub.db'}", topology_for(tmp_path, 1))).state.store
    hub.enroll(VILLAGE, public_key_text(Ed25519PrivateKey.generate()))
    yield hub
    hub.engine.dispose()


def test_a_push_reaches_each_viewer_as_one_row_and_pages_cut_inside_it(store: HubStore) -> None:
    events = sample_events(50)
    assert {a.status for a in store.ingest(events, VILLAGE, time.time())} == {"accepted"}
    with store.engine.connect() as conn:
        rows = conn.execute(select(db.feed.c.station, db.feed.c.span)).all()
    assert sorted(rows) == sorted((viewer, 50) for viewer in _VIEWERS)
    for viewer in _VIEWERS:
        pulled, cursor, more = [], 0, True
        while more:
            page = store.pull(viewer, cursor, 7)
            pulled += [e["id"] for e in page.events]
            assert page.cursor > cursor or not page.events
            cursor, more = page.cursor, page.more
        assert pulled == [e.id for e in events]
        assert store.pull(viewer, cursor, 7).events == []
