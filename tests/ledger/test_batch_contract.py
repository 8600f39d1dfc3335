"""The batch form of the contract (``parse_columns``) says exactly what ``parse_event`` says.

It may answer a batch only when every event of it keeps the contract, and then with the
very events ``parse_event`` makes; for any other batch it must step aside (None), so that
the events are judged one by one with their own reasons. Hypothesis puts a hostile value
at a random place of a random event of a real batch, and a set of near misses aims at the
string tests that run over whole columns at once.
"""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from station.ledger import Event
from station.ledger.columns import parse_columns, parse_push_json
from sync.wire import COLUMNS, PUSH_WIRE_VERSION, _events_one_by_one, events_to_columns
from tests.fuzz.test_fuzz_contract import _paths, _put, hostile_value
from tests.support.events import sample_events

EVENTS = sample_events(6)


def _columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {c: [row[c] for row in rows] for c in COLUMNS}


def _one_by_one(rows: list[dict[str, Any]]) -> list[Event] | None:
    """What the push decoder's event-by-event path makes of the rows (None if any is malformed)."""
    events = _events_one_by_one(copy.deepcopy(rows), PUSH_WIRE_VERSION, floats=False)
    return [e for e in events if isinstance(e, Event)] if all(isinstance(e, Event) for e in events) else None


def _agree(rows: list[dict[str, Any]]) -> None:
    whole = parse_columns(copy.deepcopy(_columns(rows)), float_free=True, elided_prev=True)
    alone = _one_by_one(rows)
    if whole is None:
        return  # stepping aside is always allowed; the caller then checks one by one
    assert alone is not None, "the batch path took a batch that breaks the contract"
    assert [e.to_json() for e in whole] == [e.to_json() for e in alone]
    assert whole == alone
    _agree_as_json(rows)


def _agree_as_json(rows: list[dict[str, Any]]) -> None:
    """The push's one-pass decode of the same rows sent as JSON takes only what the batch path
    takes of them, and makes the same events."""
    try:
        text = json.dumps({"w": PUSH_WIRE_VERSION, "events": _columns(rows)})
    except (TypeError, ValueError):
        return  # not JSON: nothing a station can send
    mine = parse_push_json(text.encode("ascii"), 100)
    if mine is None:
        return
    reference = parse_columns(json.loads(text)["events"], float_free=False, elided_prev=True)
    assert reference is not None, "the one-pass decode took a batch that breaks the contract"
    assert [e.to_json() for e in mine] == [e.to_json() for e in reference]
    assert mine == reference


def test_a_batch_that_keeps_the_contract_is_taken_whole_and_equal() -> None:
    rows = [e.to_dict() for e in EVENTS]
    whole = parse_columns(_columns(rows), float_free=True, elided_prev=True)
    assert whole is not None
    assert whole == _one_by_one(rows)
    assert [e.digest() for e in whole] == [e.digest() for e in EVENTS]
    pushed = parse_push_json(json.dumps({"w": 2, "events": _columns(rows)}).encode(), 100)
    assert pushed == EVENTS and [e.digest() for e in pushed] == [e.digest() for e in EVENTS]
    assert parse_push_json(json.dumps({"w": 2, "events": _columns(rows)}).encode(), 5) is None  # over the limit
    assert parse_push_json(json.dumps({"w": 2, "events": _columns(rows), "x": 1}).encode(), 100) is None


def test_a_left_out_prev_is_the_digest_of_the_event_before() -> None:
    columns = events_to_columns(EVENTS)
    columns["prev"] = [EVENTS[0].prev] + [None] * (len(EVENTS) - 1)
    whole = parse_columns(columns, float_free=True, elided_prev=True)
    assert whole == EVENTS
    assert parse_columns(columns, float_free=True, elided_prev=False) is None  # only a push may leave it out
    columns["prev"] = [None] * len(EVENTS)
    assert parse_columns(columns, float_free=True, elided_prev=True) is None  # nothing before the first: checked one by one


NEAR_MISSES = [
    ("hlc", "1795300000000.0.001"), ("hlc", "17953000000000.0001"), ("hlc", "１795300000000.00001"),
    ("case", "42011510220320261122X0001"), ("case", "4201151022032026112200O01"), ("case", "42011510220320261122 0001"),
    ("id", "01J ABC"), ("id", "01J\x00ABC"), ("id", "曾01J"), ("station", "42011510220X"), ("station", "４20115102203"),
    ("actor", "A\u200b01\n"), ("prev", "A" * 64), ("prev", "a" * 63), ("prev", "g" * 64), ("at", "2026-13-40T00:00+08:00"),
    ("at", "2026-11-22T10:00:00"), ("role", "boss"), ("v", 2), ("kind", "deleted"),
]


@pytest.mark.parametrize("index", range(len(EVENTS)))
@pytest.mark.parametrize(("field", "value"), NEAR_MISSES)
def test_a_near_miss_in_any_column_is_never_taken(index: int, field: str, value: Any) -> None:
    rows = [e.to_dict() for e in EVENTS]
    rows[index][field] = value
    assert _one_by_one(rows) is None, "the near miss should break the contract"
    assert parse_columns(_columns(rows), float_free=True, elided_prev=True) is None
    assert parse_push_json(json.dumps({"w": 2, "events": _columns(rows)}).encode(), 100) is None


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_hostile_value_anywhere_gets_the_same_answer_as_one_by_one(data: st.DataObject) -> None:
    rows = [copy.deepcopy(e.to_dict()) for e in EVENTS]
    target = data.draw(st.integers(0, len(rows) - 1))
    path = data.draw(st.sampled_from(_paths(rows[target])))
    _put(rows[target], path, data.draw(hostile_value))
    _agree(rows)
