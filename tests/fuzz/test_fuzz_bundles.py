"""Corrupted and forged bundle files: a clear refusal at the hub and at the reader, never a crash."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.bundle import MAGIC, BundleError, read_bundle, write_bundle
from tests.fuzz.conftest import FUZZ_EXAMPLES, FuzzHub
from tests.support.simstation import SimStation

BUNDLE = "/api/v1/sync/bundle"
BUNDLE_SETTINGS = settings(max_examples=FUZZ_EXAMPLES * 4, deadline=None, suppress_health_check=list(HealthCheck))


def a_bundle(station: SimStation, events: int = 3) -> bytes:
    return write_bundle(station.key, station.code, station.backlog(events), "2026-11-02T09:30:00+08:00")


@st.composite
def corrupted(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    fraction = st.floats(0.0, 1.0)
    for _ in range(draw(st.integers(1, 4))):
        data[int(draw(fraction) * (len(data) - 1))] = draw(st.integers(0, 255))
    cut = len(MAGIC) + int(draw(fraction) * (len(data) - len(MAGIC)))
    return bytes(data[:cut])


@given(data=st.data())
@BUNDLE_SETTINGS
def test_a_corrupted_bundle_is_refused_with_a_bundle_error(data: st.DataObject) -> None:
    original = a_bundle(SimStation("420115102203"))
    damaged = data.draw(corrupted(original))
    if damaged == original:
        return
    try:
        read_bundle(damaged)
    except BundleError as exc:
        assert str(exc)
    else:
        raise AssertionError("a damaged bundle was read as intact")


@given(data=st.data())
@BUNDLE_SETTINGS
def test_the_hub_answers_a_corrupted_bundle_with_400(fuzz_hub: FuzzHub, data: st.DataObject) -> None:
    damaged = data.draw(corrupted(a_bundle(fuzz_hub.village)))
    response = fuzz_hub.client.post(BUNDLE, content=damaged, headers=fuzz_hub.township.headers("POST", BUNDLE, damaged))
    assert response.status_code in (200, 400), response.text[:300]
    if response.status_code == 400:
        assert response.json()["error"] == "malformed_body"


def test_a_bundle_signed_by_a_key_the_hub_did_not_enrol_is_not_ingested(fuzz_hub: FuzzHub) -> None:
    impostor = SimStation(fuzz_hub.village.code)
    forged = a_bundle(impostor)
    response = fuzz_hub.client.post(BUNDLE, content=forged, headers=fuzz_hub.township.headers("POST", BUNDLE, forged))
    assert response.status_code == 200
    assert response.json()["bundles"][0]["error"]
    store = fuzz_hub.app.state.store  # type: ignore[attr-defined]
    assert not set(store.event_ids()) & {e.id for e in impostor.recorded}


def test_a_bundle_nested_too_deep_is_refused() -> None:
    station = SimStation("420115102203")
    data = a_bundle(station, 1)
    for _ in range(6):
        data = write_bundle(station.key, station.code, [], "2026-11-02T09:30:00+08:00", [data])
    try:
        read_bundle(data)
    except BundleError as exc:
        assert "嵌套" in str(exc)
    else:
        raise AssertionError("a bundle nested six deep was accepted")


def a_sealed_bundle(station: SimStation, hub_key: str, events: int = 3) -> bytes:
    from sync.sealed_bundle import HUB, Recipient, write_sealed_bundle

    return write_sealed_bundle(station.key, station.code, station.backlog(events), "2026-11-02T09:30:00+08:00",
                               [Recipient(HUB, hub_key)])


@given(data=st.data())
@BUNDLE_SETTINGS
def test_a_corrupted_sealed_bundle_is_refused_by_its_recipient(data: st.DataObject) -> None:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from station.keyseal import public_text
    from sync.sealed_bundle import NotARecipient

    key = X25519PrivateKey.generate()
    original = a_sealed_bundle(SimStation("420115102203"), public_text(key.public_key()))
    damaged = data.draw(corrupted(original))
    if damaged == original:
        return
    try:
        read_bundle(damaged, keys={"hub": key})
    except (BundleError, NotARecipient) as exc:
        assert str(exc)
    else:
        raise AssertionError("a damaged sealed bundle was read as intact")


@given(data=st.data())
@BUNDLE_SETTINGS
def test_the_hub_answers_a_corrupted_sealed_bundle_with_400(fuzz_hub: FuzzHub, data: st.DataObject) -> None:
    from cityhall.bundles import hub_public_key

    original = a_sealed_bundle(fuzz_hub.village, hub_public_key(fuzz_hub.app.state.store.engine))  # type: ignore[attr-defined]
    damaged = data.draw(corrupted(original))
    response = fuzz_hub.client.post(BUNDLE, content=damaged, headers=fuzz_hub.township.headers("POST", BUNDLE, damaged))
    assert response.status_code in (200, 400), response.text[:300]
    if response.status_code == 400:
        assert response.json()["error"] == "malformed_body"
    elif damaged != original:
        raise AssertionError("a damaged sealed bundle was ingested")
