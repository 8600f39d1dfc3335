"""The hub's sync API against real stations over loopback: auth, dedupe, parking, visibility."""
from __future__ import annotations

import time

import httpx
import pytest

from station.errors import NotAllowed
from sync.signing import signed_headers
from sync.wire import encode_batch
from tests.support.demo import OTHER_VILLAGE, TOWNSHIP, VILLAGE, VILLAGE_2
from tests.support.hub import file_case

from .conftest import World

PUSH = "/api/v1/sync/push"


def _push(world: World, signer: str, body: bytes, now: float | None = None, path: str = PUSH) -> httpx.Response:
    key = world.sites[signer].service.signing_key()
    headers = signed_headers(key, signer, "POST", path, body, now if now is not None else time.time())
    return httpx.post(world.url + path, content=body, headers=headers)


def test_village_to_township_and_back(world: World) -> None:
    village, township = world.sites[VILLAGE], world.sites[TOWNSHIP]
    case_no = file_case(village.service, village.operator)
    with village.client() as client:
        report = client.sync_once()
    assert (report.pushed, report.pending, report.rejected) == (2, 0, 0)
    with township.client() as client:
        assert client.sync_once().pulled == 2
    township.service.act(township.operator, case_no, "accepted")
    township.service.act(township.operator, case_no, "approved")
    with township.client() as client:
        assert client.sync_once().pushed == 2
    with village.client() as client:
        assert client.sync_once().pulled == 2
    assert village.service.case(case_no).status == "approved"


def test_other_stations_see_only_their_cases(world: World) -> None:
    village, neighbour, stranger = world.sites[VILLAGE], world.sites[VILLAGE_2], world.sites[OTHER_VILLAGE]
    file_case(village.service, village.operator)
    with village.client() as client:
        client.sync_once()
    for site in (neighbour, stranger):
        with site.client() as client:
            assert client.sync_once().pulled == 0


def test_replayed_push_is_answered_as_duplicate(world: World) -> None:
    village = world.sites[VILLAGE]
    file_case(village.service, village.operator)
    body = encode_batch(village.service.store.pending_events(100))
    first, again = _push(world, VILLAGE, body), _push(world, VILLAGE, body)
    assert [r["status"] for r in first.json()["results"]] == ["accepted", "accepted"]
    assert [r["status"] for r in again.json()["results"]] == ["duplicate", "duplicate"]
    assert world.store.event_total() == 2


def test_unsigned_forged_stale_and_cross_station_requests_are_refused(world: World) -> None:
    village = world.sites[VILLAGE]
    file_case(village.service, village.operator)
    body = encode_batch(village.service.store.pending_events(100))
    assert httpx.post(world.url + PUSH, content=body).status_code == 401
    forged = signed_headers(world.sites[VILLAGE_2].service.signing_key(), VILLAGE, "POST", PUSH, body, time.time())
    assert httpx.post(world.url + PUSH, content=body, headers=forged).status_code == 401
    stale = _push(world, VILLAGE, body, now=time.time() - 3600)
    assert (stale.status_code, stale.json()["error"]) == (401, "clock_skew")
    cross = _push(world, VILLAGE_2, body)
    assert cross.status_code == 403 and VILLAGE in cross.json()["reason"]
    assert _push(world, VILLAGE, b"not gzip").status_code == 400
    assert world.store.event_total() == 0


def test_forbidden_step_is_rejected_and_kept_at_the_station(world: World) -> None:
    village, township = world.sites[VILLAGE], world.sites[TOWNSHIP]
    case_no = file_case(village.service, village.operator, forward=False)
    with village.client() as client:
        client.sync_once()
    # the township records an acceptance on a case not yet sent to it: its own fold allows
    # nothing of the kind, so forge the event past the station's own check
    with township.client() as client:
        client.sync_once()
    state = township.service.case(case_no)
    event = township.service._new_event(case_no, "accepted", township.operator, {})
    with township.service.store.write():
        township.service._record_local(event)
    with township.client() as client:
        report = client.sync_once()
    assert report.rejected == 1 and state.status == "received"
    rejected = township.service.store.rejected_events()
    assert rejected[0]["id"] == event.id and "经办站" in rejected[0]["reason"]


def test_events_of_an_unknown_case_are_parked_then_applied(world: World) -> None:
    village = world.sites[VILLAGE]
    file_case(village.service, village.operator)
    received, forwarded = village.service.store.pending_events(10)
    parked = _push(world, VILLAGE, encode_batch([forwarded])).json()["results"]
    assert parked == [{"id": forwarded.id, "status": "parked"}]
    metrics = httpx.get(world.url + "/metrics").text
    assert f'cityhall_parked_events{{station="{VILLAGE}"}} 1' in metrics
    assert _push(world, VILLAGE, encode_batch([received])).json()["results"][0]["status"] == "accepted"
    assert world.store.event_total() == 2
    assert "cityhall_parked_events{" not in httpx.get(world.url + "/metrics").text


def test_station_with_a_wrong_clock_still_syncs(world: World) -> None:
    village = world.sites[VILLAGE]
    file_case(village.service, village.operator)
    with village.client(wall_clock=lambda: time.time() - 7200) as client:
        report = client.sync_once()
    assert report.pushed == 2 and report.clock_offset_s == pytest.approx(7200, abs=5)


def test_unenrolled_key_is_not_allowed(world: World) -> None:
    village = world.sites[VILLAGE]
    file_case(village.service, village.operator)
    world.store.enroll(VILLAGE, world.sites[VILLAGE_2].public_key)  # re-enrolment replaces the key
    with village.client() as client, pytest.raises(NotAllowed):
        client.sync_once()
    assert village.service.store.outbox_counts()["pending"] == 2


def test_openapi_and_health(world: World) -> None:
    paths = httpx.get(world.url + "/openapi.json").json()["paths"]
    assert {"/api/v1/sync/push", "/api/v1/sync/pull", "/api/v1/track/{case_no}/{token}", "/healthz"} <= set(paths)
    assert httpx.get(world.url + "/healthz").json()["ok"] is True


def test_a_key_enrolled_by_another_process_counts_at_once(world: World) -> None:
    """The hub holds a station's key for 2 s; a request the held key does not verify has it read again."""
    from cityhall.store import enroll_station

    village = world.sites[VILLAGE]
    file_case(village.service, village.operator)
    received, forwarded = village.service.store.pending_events(10)
    assert _push(world, VILLAGE, encode_batch([received])).status_code == 200  # the key is now held
    assert world.store.credentials_in_memory(VILLAGE)
    new_pc = world.sites[VILLAGE_2].service.signing_key()
    enroll_station(world.store.engine, VILLAGE, world.sites[VILLAGE_2].public_key)  # `cityhall enroll` beside it
    body = encode_batch([forwarded])
    headers = signed_headers(new_pc, VILLAGE, "POST", PUSH, body, time.time())
    answer = httpx.post(world.url + PUSH, content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["status"] == "accepted"
    old_pc = village.service.signing_key()
    stale = httpx.post(world.url + PUSH, content=body, headers=signed_headers(old_pc, VILLAGE, "POST", PUSH, body,
                                                                              time.time()))
    assert stale.status_code == 401
