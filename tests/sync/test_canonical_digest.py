"""The canonical JSON behind every digest: the fast path gives the standard library's bytes exactly.

Station and hub hash events with ``Event.digest``; every digest stored so far was made with
``json.dumps(..., ensure_ascii=False, separators=(",", ":"), sort_keys=True)``. Whatever
codec computes it now must give the same bytes for every event, rare characters included,
or a station's hash chain would break at the hub.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from station.ledger import Event
from station.ledger.events import canonical_json
from tests.support.events import sample_events

RARE = "𠮷𬱖𫖯曾欧阳\u2028\u2029\x00\x1f\x7f\"\\/é\ufeff\U0010ffff"
"""Extension B and later ideographs, line separators, control characters, escapes, a BOM."""

text = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(list(RARE)), max_size=12)
scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
           | st.integers(min_value=2**63 - 3, max_value=2**70) | text)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(text, inner, max_size=4), max_leaves=20)


def reference_json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def envelope(data: dict[str, Any], actor: str) -> Event:
    return Event(id="01JD0000000000000000000001", case="420115102203202611220001X", kind="received",
                 hlc="1795300000000-0000", at="2026-11-22T09:00:00+08:00", station="420115102203",
                 actor=actor, data=data, role="agent", prev="ab" * 32)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(text, json_values, max_size=6), text)
def test_every_generated_event_has_the_reference_digest_bytes(data: dict[str, Any], actor: str) -> None:
    event = envelope(data, actor or "A01")
    shallow = {name: getattr(event, name) for name in event._fields}
    assert event.to_json() == reference_json(shallow)
    assert event.digest() == hashlib.sha256(reference_json(shallow).encode("utf-8")).hexdigest()


float_free_values = st.recursive(scalars.filter(lambda value: not isinstance(value, float)),
                                 lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
                                 max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(text, float_free_values, max_size=6), text)
def test_an_event_read_off_a_push_has_the_reference_digest_and_size(data: dict[str, Any], actor: str) -> None:
    """The hub's decoder hashes and measures orjson's UTF-8 as it comes (``Event.from_checked``)."""
    fields = {name: getattr(envelope(data, actor or "A01"), name) for name in Event._fields}
    event = Event.from_checked(fields, float_free=True)  # type: ignore[arg-type]  # generated, not checked
    reference = reference_json(fields)
    assert event.to_json() == reference
    assert event.digest() == hashlib.sha256(reference.encode("utf-8")).hexdigest()
    assert event.encoded_size() == len(reference.encode("utf-8"))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(text, json_values, max_size=6))
def test_canonical_json_matches_the_standard_library_on_any_object(value: dict[str, Any]) -> None:
    assert canonical_json(value) == reference_json(value)


def test_events_stored_before_verify_unchanged() -> None:
    """A chain hashed and stored with the standard library reads back to the same bodies and links."""
    stored, prev = [], ""
    for event in sample_events(60):
        body = reference_json({name: getattr(event, name) for name in event._fields} | {"prev": prev})
        stored.append(body)
        prev = hashlib.sha256(body.encode("utf-8")).hexdigest()
    read_back = [Event.from_dict(json.loads(body)) for body in stored]
    assert [event.to_json() for event in read_back] == stored
    assert all(later.prev == earlier.digest() for earlier, later in zip(read_back, read_back[1:]))


def test_a_stored_mapping_with_a_key_beside_the_fields_cannot_pass_for_the_cached_digest() -> None:
    event = sample_events(1)[0]
    raw = {name: getattr(event, name) for name in Event._fields if name != "prev"}
    forged = Event.from_stored(raw | {"_digest": "00" * 32})  # type: ignore[arg-type]  # as many keys as fields
    assert forged.digest() == event.replace(prev="").digest() != "00" * 32
    assert forged.prev == ""
