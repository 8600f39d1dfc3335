"""Revoking a lost station's key: its requests and late bundles are refused everywhere, its past stays."""
from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from cityhall.revocation import RevocationError, revoke_station
from cityhall.staff_accounts import add_staff
from cityhall.store import enroll_station
from station.errors import NotAllowed
from station.home import StationHome
from station.service import StationService, init_station
from sync.recipients import opening_keys
from sync.bundle import read_bundle, write_bundle
from sync.carry import export_bundle, import_bundle
from sync.signing import signed_headers
from tests.support.demo import TOWNSHIP, VILLAGE
from tests.staff.conftest import PASSWORD, log_in
from tests.support.hub import file_case

from .conftest import World


def _revoke(world: World, code: str, reason: str = "电脑被盗") -> None:
    revoke_station(world.store.engine, code, reason)
    world.store.forget_revocations()  # another process's revocation counts within the key cache's 2 s


def _pull_with(world: World, key: object, code: str, timestamp: float) -> httpx.Response:
    path = "/api/v1/sync/pull?after=0"
    return httpx.get(world.url + path, headers=signed_headers(key, code, "GET", path, b"", timestamp))  # type: ignore[arg-type]


def test_a_revoked_key_is_refused_whatever_its_timestamp_and_its_past_stays(world: World) -> None:
    village = world.sites[VILLAGE]
    file_case(village.service, village.operator)
    with village.client() as client:
        assert client.sync_once().pushed == 2
    key = village.service.signing_key()
    assert _pull_with(world, key, VILLAGE, time.time()).status_code == 200
    _revoke(world, VILLAGE)
    for timestamp in (time.time(), time.time() - 86400 * 30, 0):
        answer = _pull_with(world, key, VILLAGE, timestamp)
        assert (answer.status_code, answer.json()["reason"], answer.json()["error"]) == (401, "revoked", "revoked")
    file_case(village.service, village.operator)
    with village.client() as client, pytest.raises(NotAllowed, match="revoked"):
        client.sync_once()
    assert world.store.event_total() == 2  # what it pushed before stays; nothing after


def test_enrol_takes_the_replacement_never_the_revoked_key(world: World, tmp_path: Path) -> None:
    old_key = world.sites[VILLAGE].public_key
    _revoke(world, VILLAGE)
    with pytest.raises(RevocationError, match="already revoked"):
        revoke_station(world.store.engine, VILLAGE, "again")
    with pytest.raises(ValueError, match="revoked"):
        enroll_station(world.store.engine, VILLAGE, old_key)
    home = StationHome(tmp_path / "new-pc")
    new_key = init_station(home, VILLAGE, world.sites[VILLAGE].service.home.topology_file)["public_key"]
    assert world.store.enroll(VILLAGE, new_key) is True
    replacement = StationService(home)
    try:
        assert _pull_with(world, replacement.signing_key(), VILLAGE, time.time()).status_code == 200
        answer = _pull_with(world, world.sites[VILLAGE].service.signing_key(), VILLAGE, time.time())
        assert answer.json()["reason"] == "revoked"  # named as revoked, not just "wrong signature"
    finally:
        replacement.close()


def test_a_replacement_enrolled_by_another_process_is_taken_at_once(world: World, tmp_path: Path) -> None:
    old = world.sites[VILLAGE].service.signing_key()
    assert _pull_with(world, old, VILLAGE, time.time()).status_code == 200  # the hub now holds the old key in its cache
    _revoke(world, VILLAGE)
    home = StationHome(tmp_path / "new-pc")
    new_key = init_station(home, VILLAGE, world.sites[VILLAGE].service.home.topology_file)["public_key"]
    assert enroll_station(world.store.engine, VILLAGE, new_key) is True  # as `cityhall enroll` does, beside the hub
    replacement = StationService(home)
    try:
        answer = _pull_with(world, replacement.signing_key(), VILLAGE, time.time())
        assert answer.status_code == 200, answer.text  # not "signature does not match" for the cache's 2 s
    finally:
        replacement.close()


def test_bundles_signed_after_the_revocation_are_refused_at_the_hub_and_at_stations(world: World, tmp_path: Path) -> None:
    village, township = world.sites[VILLAGE], world.sites[TOWNSHIP]
    key = village.service.signing_key()
    early_case = file_case(village.service, village.operator)
    before = tmp_path / "before.bundle"
    export_bundle(village.service, before)
    time.sleep(1.1)  # bundle times are whole seconds
    _revoke(world, VILLAGE, "丢失")
    late_case = file_case(village.service, village.operator)
    late = tmp_path / "late.bundle"
    export_bundle(village.service, late)
    backdated = tmp_path / "backdated-garbled.bundle"
    backdated.write_bytes(write_bundle(key, VILLAGE, village.service.store.pending_events(100), "not a time"))

    with township.client() as client:
        client.sync_once()  # the revocation arrives with the publications
    for stick in (late, backdated):
        with pytest.raises(NotAllowed, match="吊销"):
            import_bundle(township.service, stick)
    assert township.service.store.case_state(late_case) is None  # nothing of it was stored
    assert import_bundle(township.service, before)["applied"] == 2  # written before: still good

    signer = township.service.signing_key()
    for stick, expected in ((late, "revoked"), (before, None)):
        body = read_bundle(stick.read_bytes(), keys=opening_keys(township.service)).relayable
        path = "/api/v1/sync/bundle"
        answer = httpx.post(world.url + path, content=body,
                            headers=signed_headers(signer, TOWNSHIP, "POST", path, body, time.time()))
        result = answer.json()["bundles"][0]
        if expected:
            assert result["error"].startswith("revoked") and result["results"] == []
        else:
            assert "error" not in result and {r["status"] for r in result["results"]} == {"accepted"}
    assert world.store.case_for_tracking(early_case)[0] is not None
    assert world.store.case_for_tracking(late_case)[0] is None


def test_staff_page_and_metrics_show_revocations(world: World) -> None:
    _revoke(world, VILLAGE, "硬盘损坏")
    metrics = httpx.get(world.url + "/metrics").text
    assert f'cityhall_station_awaiting_new_key{{station="{VILLAGE}"}} 1' in metrics
    assert f'cityhall_station_key_revoked_at_seconds{{station="{VILLAGE}"}}' in metrics
    add_staff(world.store.engine, "S01", "赵六", PASSWORD)
    with httpx.Client(base_url=world.url, follow_redirects=False, timeout=10) as browser:
        log_in(browser, "S01")
        page = browser.get("/staff/").text
    assert "已吊销的站点密钥" in page and "硬盘损坏" in page and "等待登记新电脑的密钥" in page


def test_revoke_command_refuses_what_it_cannot_do_with_a_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cityhall.cli import main

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    assert main(["revoke", VILLAGE, "--db", url]) == 2
    assert "not enrolled" in capsys.readouterr().err
    assert main(["revoke", "12345", "--db", url]) == 2
    assert "12 digits" in capsys.readouterr().err
    home = StationHome(tmp_path / "pc")
    key = init_station(home, VILLAGE, Path(__file__).resolve().parents[2] / "stations.toml")["public_key"]
    assert main(["enroll", VILLAGE, key, "--db", url]) == 0
    assert main(["revoke", VILLAGE, "--db", url, "--reason", "被盗", "--json"]) == 0
    assert '"reason": "被盗"' in capsys.readouterr().out
    assert main(["revoke", VILLAGE, "--db", url]) == 2
    assert "already revoked" in capsys.readouterr().err
    assert main(["enroll", VILLAGE, key, "--db", url]) == 2
    assert "revoked" in capsys.readouterr().err


def test_a_bundle_written_in_the_second_of_the_revocation_counts_as_after_it() -> None:
    from sync.revoked import RevokedKey

    revoked = RevokedKey(VILLAGE, "k", revoked_at=1_800_000_000.7)
    assert revoked.refuses("2027-01-15T16:00:00+08:00")  # 1_800_000_000.0: same second
    assert not revoked.refuses("2027-01-15T15:59:59+08:00")
    assert revoked.refuses("2027-01-15T16:00:00")  # no offset: cannot be placed in time
