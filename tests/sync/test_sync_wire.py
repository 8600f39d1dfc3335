"""The wire format, request signatures and bundles: pure functions, no network."""
from __future__ import annotations

import gzip
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
import zstandard

from station.ledger import Event
from station.keys import load_public_key, public_key_text
from sync.bundle import BundleError, read_bundle, write_bundle
from sync.signing import SKEW_WINDOW_S, signed_headers, verify_request
from sync.wire import (WireError, decode_batch, decode_events, encode_batch, encode_push, encode_push_stored,
                       events_to_columns)

from tests.support.events import sample_events
from tests.sync.test_canonical_digest import envelope, text

finite_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                           | st.integers(min_value=2**63 - 3, max_value=2**70) | text,
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
                           max_leaves=20)
"""What a station can store (it refuses NaN and infinities before recording)."""


def test_batch_round_trips_every_envelope_field() -> None:
    events = sample_events(40)
    decoded, extra = decode_batch(encode_batch(events, note="x"))
    assert decoded == events
    assert extra == {"note": "x"}


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=200))
def test_garbage_is_a_wire_error_never_a_crash(body: bytes) -> None:
    with pytest.raises(WireError):
        decode_batch(body)


def test_malformed_event_names_its_position() -> None:
    events = sample_events(3)
    payload = json.loads(gzip.decompress(encode_batch(events)))
    payload["events"]["kind"][2] = "teleported"
    with pytest.raises(WireError, match="event #3: .*kind"):
        decode_batch(gzip.compress(json.dumps(payload).encode()))


def test_gzip_bomb_is_refused() -> None:
    with pytest.raises(WireError, match="inflates to more than"):
        decode_batch(gzip.compress(b"[" + b" " * (70 * 1024 * 1024) + b"]"))


def test_typical_batch_stays_under_200_bytes_per_event() -> None:
    events = sample_events(100)
    assert len(encode_batch(events)) / len(events) <= 200


def _headers(key: Ed25519PrivateKey, body: bytes = b"{}", now: float = 1_800_000_000.0) -> dict[str, str]:
    return signed_headers(key, "420115102203", "POST", "/api/v1/sync/push", body, now)


def test_signature_verifies_and_binds_every_part() -> None:
    key = Ed25519PrivateKey.generate()
    public = load_public_key(public_key_text(key))
    headers, now = _headers(key), 1_800_000_000.0
    assert verify_request(public, headers, "POST", "/api/v1/sync/push", b"{}", now) is None
    assert verify_request(public, headers, "POST", "/api/v1/sync/push", b"{ }", now) is not None
    assert verify_request(public, headers, "POST", "/api/v1/sync/pull", b"{}", now) is not None
    assert verify_request(public, headers | {"X-Station": "420115102204"}, "POST", "/api/v1/sync/push", b"{}", now)
    other = load_public_key(public_key_text(Ed25519PrivateKey.generate()))
    assert verify_request(other, headers, "POST", "/api/v1/sync/push", b"{}", now) is not None


def test_a_good_signature_outside_the_window_is_flagged_as_skew() -> None:
    key = Ed25519PrivateKey.generate()
    public = load_public_key(public_key_text(key))
    problem = verify_request(public, _headers(key), "POST", "/api/v1/sync/push", b"{}",
                             1_800_000_000.0 + SKEW_WINDOW_S + 5)
    assert problem is not None and problem.skew
    assert not verify_request(public, _headers(key) | {"X-Signature": "AAAA"}, "POST",
                              "/api/v1/sync/push", b"{}", 1_800_000_000.0 + 9999).skew


def test_bundle_round_trip_and_tampering() -> None:
    key = Ed25519PrivateKey.generate()
    events = sample_events(5)
    inner = write_bundle(key, "420115102204", events[:2], "2026-11-22T10:00:00+08:00")
    data = write_bundle(key, "420115102203", events, "2026-11-22T10:00:00+08:00", [inner])
    bundle = read_bundle(data)
    assert bundle.events == events and bundle.carried == [inner] and bundle.station == "420115102203"
    tampered = bytearray(data)
    tampered[-30] ^= 0xFF
    with pytest.raises(BundleError, match="损坏"):
        read_bundle(bytes(tampered))
    header_swapped = data.replace(b'"420115102203"', b'"420115102205"', 1)
    with pytest.raises(BundleError, match="签名无效"):
        read_bundle(header_swapped)


def test_push_batch_round_trips_and_fills_prev_back_in() -> None:
    events = sample_events(40)
    decoded, extra = decode_batch(encode_push(events))
    assert decoded == events
    assert [e.digest() for e in decoded] == [e.digest() for e in events]
    assert extra == {}


def test_push_batch_leaves_out_only_the_prev_it_can_rebuild() -> None:
    events = sample_events(6)
    broken = events[:3] + [events[3].replace(prev="00" * 32)] + events[4:]
    payload = json.loads(zstandard.ZstdDecompressor().decompress(encode_push(broken)))
    assert payload["w"] == 2
    assert payload["events"]["prev"] == ["", None, None, "00" * 32, broken[4].prev, None]
    assert decode_batch(encode_push(broken))[0] == broken


def _payload(body: bytes) -> object:
    return json.loads(zstandard.ZstdDecompressor().decompress(body))


def _chained(datas: list[dict[str, object]], actors: list[str]) -> list[Event]:
    """Events of one station, each ``prev`` the digest of the one before (one link broken at every fifth)."""
    events: list[Event] = []
    for index, (data, actor) in enumerate(zip(datas, actors, strict=False)):
        prev = events[-1].digest() if events and index % 5 else "cd" * 32
        events.append(envelope(data, actor or "A01").replace(id=f"01JD{index:022d}", prev=prev))
    return events


@settings(max_examples=120, deadline=None)
@given(st.lists(st.dictionaries(text, finite_json, max_size=5), min_size=1, max_size=8),
       st.lists(text, min_size=8, max_size=8))
def test_a_push_made_from_stored_texts_carries_what_one_made_from_events_does(
        datas: list[dict[str, object]], actors: list[str]) -> None:
    """The station pushes from the canonical JSON it stored: the hub must read exactly the
    events (rare characters, floats, large integers included) and the same left-out ``prev``."""
    events = _chained(datas, actors)
    stored = encode_push_stored([event.to_json() for event in events])
    assert stored.ids == [event.id for event in events]
    assert _payload(stored.body) == _payload(encode_push(events))


def test_a_push_from_stored_texts_decodes_to_the_sample_events() -> None:
    events = sample_events(300)
    stored = encode_push_stored([event.to_json() for event in events])
    decoded, _ = decode_batch(stored.body)
    assert decoded == events and [e.to_json() for e in decoded] == [e.to_json() for e in events]
    assert _payload(stored.body)["events"]["prev"].count(None) == 299


def test_a_stored_text_older_than_a_field_still_goes_up_whole() -> None:
    """A body stored before ``role`` and ``prev`` existed lacks them: its digest is not its text's
    hash, so the next event's ``prev`` travels in full, and the hub reads the defaults."""
    events = sample_events(3)
    old = json.loads(events[0].to_json())
    del old["role"], old["prev"]
    texts = [json.dumps(old, ensure_ascii=False, separators=(",", ":"), sort_keys=True)] + [e.to_json() for e in events[1:]]
    stored = encode_push_stored(texts)
    assert _payload(stored.body)["events"]["prev"] == ["", events[1].prev, None]
    assert decode_batch(stored.body)[0][0] == events[0].replace(role="", prev="")


def test_push_batch_costs_less_than_half_of_version_one() -> None:
    events = sample_events(2000)
    assert len(encode_push(events)) * 2 < len(encode_batch(events))
    assert len(encode_push(events)) / len(events) <= 30


def test_a_left_out_prev_needs_a_well_formed_event_before_it() -> None:
    events = sample_events(3)
    columns = events_to_columns(events)
    columns["prev"] = [None, None, None]
    columns["kind"][1] = "teleported"
    body = zstandard.ZstdCompressor().compress(json.dumps({"w": 2, "events": columns}).encode())
    decoded, _ = decode_events(body)
    assert [type(e).__name__ for e in decoded] == ["Malformed", "Malformed", "Malformed"]
    assert [e.index for e in decoded] == [0, 1, 2] and decoded[0].id == events[0].id
    assert "'prev' may be left out only right after a well-formed event" in decoded[2].reason
    with pytest.raises(WireError, match="event #1: 'prev' may be left out"):
        decode_batch(body)


def test_zstd_bomb_and_broken_frame_are_refused() -> None:
    bomb = zstandard.ZstdCompressor(level=1).compress(b"[" + b" " * (70 * 1024 * 1024) + b"]")
    with pytest.raises(WireError, match="inflates to more than"):
        decode_batch(bomb)
    with pytest.raises(WireError, match="not a zstd frame"):
        decode_batch(bomb[:4] + b"\xff" * 40)
    with pytest.raises(WireError, match="not UTF-8 JSON"):
        decode_batch(zstandard.ZstdCompressor().compress(b"\xff{"))


def test_a_value_orjson_cannot_encode_still_travels_and_meets_the_contract_at_the_hub() -> None:
    good, odd = sample_events(2)
    odd = odd.replace(data={"count": 2**70, "name": "曾𠮷"})  # past 64 bits: the standard library's path
    decoded, _ = decode_events(encode_push([good, odd]))
    assert decoded[0] == good
    assert type(decoded[1]).__name__ == "Malformed" and decoded[1].id == odd.id and "count" in decoded[1].reason


@pytest.mark.parametrize("place", ["data", "item", "applicant_name", "kind"])
def test_a_lone_surrogate_anywhere_is_a_malformed_event_not_a_crash(place: str) -> None:
    """A push's JSON may escape a lone surrogate (``\\ud800``): the zstd path reads it with the
    standard library, and the contract must answer that event malformed, never raise."""
    good, odd = sample_events(2, start_ms=1_795_400_000_000)
    columns = events_to_columns([good, odd])
    first = columns["data"][0]
    assert isinstance(first, dict)
    if place == "data":
        columns["data"][0] = "\ud800"
    elif place == "item":
        first["item"] = "\ud800"
    elif place == "applicant_name":
        first["applicant"] = first["applicant"] | {"name": "曾\ud800"}
    else:
        columns["kind"][0] = "\ud800"
    body = zstandard.ZstdCompressor().compress(json.dumps({"w": 2, "events": columns}).encode("ascii"))
    decoded, _ = decode_events(body)
    assert type(decoded[0]).__name__ == "Malformed" and decoded[0].id == good.id
    assert decoded[1] == odd
