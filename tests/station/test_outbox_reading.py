"""The outbox as a push reads it: pending events in the order recorded, from where the last push left off."""
from __future__ import annotations

import json

from station.service import StationService
from station.store import OUTBOX_FLOOR, StationStore
from tests.support.events import sample_events


def _record(store: StationStore, count: int) -> list[str]:
    events = sample_events(count)
    with store.write():
        for event in events:
            store.insert_event(event, recorded_here=True)
    return [event.to_json() for event in events]


def _read_all(store: StationStore, size: int) -> tuple[list[str], list[int]]:
    texts, cursors, cursor = [], [], 0
    while True:
        batch, cursor = store.pending_texts_after(cursor, size)
        if not batch:
            return texts, cursors
        texts += batch
        cursors.append(cursor)


def test_a_fresh_outbox_is_read_whole_in_order_in_batches(village: StationService) -> None:
    store = village.store
    stored = _record(store, 25)
    texts, cursors = _read_all(store, 10)
    assert texts == stored and len(cursors) == 3
    assert store.get_meta(OUTBOX_FLOOR) is None  # reading answers nothing


def test_the_next_push_starts_after_the_batches_answered_in_order(village: StationService) -> None:
    store = village.store
    stored = _record(store, 12)
    first, cursor = store.pending_texts_after(0, 5)
    ids = [json.loads(text)["id"] for text in stored]
    store.mark_outbox_many([(i, "pushed", None) for i in ids[:4]] + [(ids[4], "rejected", "原因")], cursor)
    assert first == stored[:5] and store.get_meta(OUTBOX_FLOOR) == str(cursor)
    assert _read_all(store, 100)[0] == stored[5:]
    assert store.outbox_counts() == {"pending": 7, "pushed": 4, "rejected": 1}
    assert store.rejected_events()[0]["reason"] == "原因"


def test_answers_kept_out_of_order_do_not_move_where_the_next_push_starts(village: StationService) -> None:
    """What the hub answered for a batch after one that failed is recorded, but the push starts
    again at the first event still pending (a station of an earlier release starts there too)."""
    store = village.store
    stored = _record(store, 9)
    ids = [json.loads(text)["id"] for text in stored]
    store.mark_outbox_many([(i, "pushed", None) for i in ids[3:6]])
    assert store.get_meta(OUTBOX_FLOOR) is None
    assert _read_all(store, 4)[0] == stored[:3] + stored[6:]
    store.mark_outbox_many([(i, "pushed", None) for i in ids[:3]])
    assert _read_all(store, 4)[0] == stored[6:]


def test_where_the_last_push_left_off_never_moves_back(village: StationService) -> None:
    store = village.store
    ids = [json.loads(text)["id"] for text in _record(store, 4)]
    store.mark_outbox_many([(ids[0], "pushed", None)], 3)
    store.mark_outbox_many([(ids[1], "pushed", None)], 2)
    assert store.get_meta(OUTBOX_FLOOR) == "3"
