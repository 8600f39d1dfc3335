"""Hostile bodies for the sync API: hypothesis-made batches, malformed and oversized bodies.

Every answer must be a clear 4xx (or 200 with a per-event verdict): never a 5xx.
"""
from __future__ import annotations

import gzip
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.wire import COLUMNS, encode_batch
from tests.fuzz.conftest import FUZZ_EXAMPLES, FuzzHub

PUSH = "/api/v1/sync/push"
HOSTILE_SETTINGS = settings(max_examples=FUZZ_EXAMPLES * 4, deadline=None, suppress_health_check=list(HealthCheck))

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         st.text(max_size=80))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20)


def push_signed(hub: FuzzHub, body: bytes) -> Any:
    return hub.client.post(PUSH, content=body, headers=hub.village.headers("POST", PUSH, body))


def assert_clear_refusal_or_answer(response: Any) -> None:
    assert response.status_code < 500, response.text[:400]
    if response.status_code >= 400:
        reason = response.json()["reason"]
        assert isinstance(reason, str) and reason, response.text


@given(payload=json_values)
@HOSTILE_SETTINGS
def test_any_json_document_as_a_batch_gets_an_answer_not_a_crash(fuzz_hub: FuzzHub, payload: Any) -> None:
    assert_clear_refusal_or_answer(push_signed(fuzz_hub, gzip.compress(json.dumps(payload).encode())))


@given(columns=st.fixed_dictionaries({c: st.lists(json_values, min_size=1, max_size=3) for c in COLUMNS}))
@HOSTILE_SETTINGS
def test_batches_with_any_column_values_get_an_answer_not_a_crash(fuzz_hub: FuzzHub, columns: dict) -> None:
    body = gzip.compress(json.dumps({"w": 1, "events": columns}).encode())
    assert_clear_refusal_or_answer(push_signed(fuzz_hub, body))


@given(mutation=st.fixed_dictionaries({}, optional={
    "hlc": st.text(min_size=1, max_size=64), "kind": st.sampled_from(["received", "forwarded", "rated", "noted",
                                                                        "accepted", "voided"]),
    "data": st.dictionaries(st.text(max_size=8), json_values, max_size=5), "role": st.text(max_size=10),
    "prev": st.text(max_size=70), "v": st.integers(), "at": st.text(min_size=1, max_size=64)}))
@HOSTILE_SETTINGS
def test_plausible_events_with_odd_fields_get_a_verdict_not_a_crash(fuzz_hub: FuzzHub, mutation: dict) -> None:
    event = fuzz_hub.village.intake()
    raw = event.to_dict() | mutation
    body = gzip.compress(json.dumps({"w": 1, "events": {c: [raw.get(c, "")] for c in COLUMNS}}).encode())
    assert_clear_refusal_or_answer(push_signed(fuzz_hub, body))


def test_malformed_bodies_are_refused_with_400(fuzz_hub: FuzzHub) -> None:
    valid = encode_batch([fuzz_hub.village.intake()])
    bodies = [b"", b"not gzip", valid[: len(valid) // 2], gzip.compress(b"\xff\xfe not utf-8"),
              gzip.compress(b"[" * 100_000 + b"]" * 100_000), gzip.compress(b'{"w": 1, "events": ' + b"[" * 50_000),
              gzip.compress(json.dumps({"w": 1, "events": {c: [] for c in COLUMNS[:-1]}}).encode())]
    for body in bodies:
        response = push_signed(fuzz_hub, body)
        assert response.status_code == 400, (body[:40], response.status_code, response.text[:200])


def test_a_gzip_bomb_is_refused_without_inflating_it(fuzz_hub: FuzzHub) -> None:
    bomb = gzip.compress(b" " * (80 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 200_000
    response = push_signed(fuzz_hub, bomb)
    assert response.status_code in (400, 413), response.text[:200]


def test_an_oversized_body_is_refused_with_413(fuzz_hub: FuzzHub) -> None:
    response = push_signed(fuzz_hub, b"\x1f\x8b" + b"x" * (9 * 1024 * 1024))
    assert response.status_code == 413
    assert "smaller" in response.json()["reason"]


def test_deeply_nested_rating_body_is_a_400(fuzz_hub: FuzzHub) -> None:
    event = fuzz_hub.village.intake()
    token = fuzz_hub.village.tokens[event.case]
    assert push_signed(fuzz_hub, encode_batch([event])).status_code == 200
    response = fuzz_hub.client.post(f"/api/v1/track/{event.case}/{token}/rating",
                                    content=b"[" * 2000 + b"]" * 2000,  # within the 4 KiB a rating may take
                                    headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text[:200]
