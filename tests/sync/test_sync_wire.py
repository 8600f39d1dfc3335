"""The wire format, request signatures and bundles: pure functions, no network."""
from __future__ import annotations

import gzip
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from station.keys import load_public_key, public_key_text
from sync.bundle import BundleError, read_bundle, write_bundle
from sync.signing import SKEW_WINDOW_S, signed_headers, verify_request
from sync.wire import WireError, decode_batch, encode_batch

from tests.support.events import sample_events


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
