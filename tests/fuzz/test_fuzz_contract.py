"""Property-based fuzzing of the event contract through a signed push: never a 5xx, never a poisoned store.

Each example takes a real event the village would push and puts a hostile value at a
random place of it (lone surrogates, full-width digits, NUL, huge integers, deep
structures, a list or an object where text belongs). The hub answers 200 with that
event rejected and why, or 400 for a body it cannot read; whatever it stored keeps the
contract, and the case's page, the staff login page and the health check still answer.
"""
from __future__ import annotations

import copy
import gzip
import json
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from station.ledger import Event, EventFormatError
from sync.wire import COLUMNS
from tests.fuzz.conftest import FUZZ_EXAMPLES, FuzzHub

PUSH = "/api/v1/sync/push"

hostile_text = st.sampled_from(["\ud800", "曾\udfff", "４２０１１５", "a\x00b", "\u202e", "𠮷" * 70_000, " ", ""])
hostile_number = st.sampled_from([10**40, -(2**63), 2**64, 1e308, -1, 0, True])
deep = st.recursive(st.none(), lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=2), inner,
                                                                                           max_size=2), max_leaves=30)
hostile_value = st.one_of(hostile_text, hostile_number, deep, st.just([]), st.just({}), st.just([["x"] * 3]))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in an event where a value sits."""
    places = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            places += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            places += _paths(inner, (*prefix, index))
    return places


def _put(raw: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target: Any = raw
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def _push_raw(hub: FuzzHub, raw: dict[str, Any]) -> Any:
    columns = {c: [raw.get(c, "")] for c in COLUMNS}
    try:
        text = json.dumps({"w": 1, "events": columns}, ensure_ascii=True)
    except ValueError:  # a float JSON cannot carry: nothing to send
        return None
    body = gzip.compress(text.encode("ascii"))
    return hub.client.post(PUSH, content=body, headers=hub.village.headers("POST", PUSH, body))


@settings(max_examples=max(FUZZ_EXAMPLES * 4, 60), deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_hostile_value_anywhere_in_an_event_is_refused_cleanly(fuzz_hub: FuzzHub, data: st.DataObject) -> None:
    village = fuzz_hub.village
    event = village.intake() if data.draw(st.booleans()) else village.record(village.intake().case, "noted", {"note": "好"})
    raw = copy.deepcopy(event.to_dict())
    path = data.draw(st.sampled_from(_paths(raw)))
    _put(raw, path, data.draw(hostile_value))
    response = _push_raw(fuzz_hub, raw)
    if response is None:
        return
    assert response.status_code in (200, 400, 403), (path, response.status_code, response.text[:300])
    if response.status_code == 200:
        (answer,) = response.json()["results"]
        if answer["status"] in ("accepted", "parked"):
            Event.from_dict(json.loads(json.dumps(raw)))  # what was taken keeps the contract
    assert fuzz_hub.client.get("/healthz").status_code == 200
    assert fuzz_hub.client.get("/staff/login").status_code < 500


def test_the_contract_refuses_what_the_issue_listed() -> None:
    from tests.support.simstation import SimStation

    good = SimStation("420115102203").intake().to_dict()
    poisons = [("at",), ("data", "item", "promise_days"), ("data", "item"), ("data", "materials"), ("hlc",), ("id",),
               ("case",), ("data", "applicant", "name")]
    values = ["garbage", "abc", [], "materials", "1" * 40, "a\x00b", "420115-102203-20261122-0001-5", "\ud800"]
    for path, value in zip(poisons, values):
        raw = copy.deepcopy(good)
        _put(raw, path, value)
        try:
            Event.from_dict(raw)
        except EventFormatError:
            continue
        raise AssertionError(f"{path} = {value!r} passed the contract")
