"""The USB-stick path: a village's bundle goes up through its township, decisions come back down."""
from __future__ import annotations

from pathlib import Path

import pytest

from station.errors import BadInput
from sync.carry import export_bundle, import_bundle
from tests.support.demo import TOWNSHIP, VILLAGE, VILLAGE_2
from tests.support.hub import file_case

from .conftest import World


def test_bundle_relayed_by_the_township_counts_as_the_village(world: World, tmp_path: Path) -> None:
    village, township = world.sites[VILLAGE], world.sites[TOWNSHIP]
    case_no = file_case(village.service, village.operator)
    stick = tmp_path / "stick.bundle"
    assert export_bundle(village.service, stick)["own_events"] == 2
    assert import_bundle(township.service, stick)["will_relay"] is True
    township.service.act(township.operator, case_no, "accepted")  # offline, on the carried case
    township.service.act(township.operator, case_no, "approved")
    with township.client() as client:
        report = client.sync_once()
    assert (report.relayed_bundles, report.pushed, report.rejected) == (1, 2, 0)
    assert sorted(world.store.event_ids()) == sorted(e.id for e in township.service.store.case_events(case_no))
    assert world.store.event_total() == 4
    with village.client() as client:
        report = client.sync_once()
    assert (report.duplicates, report.pulled) == (2, 2)  # its own two had arrived on the stick
    assert village.service.case(case_no).status == "approved"


def test_decisions_travel_down_on_a_stick(world: World, tmp_path: Path) -> None:
    village, township, neighbour = world.sites[VILLAGE], world.sites[TOWNSHIP], world.sites[VILLAGE_2]
    case_no = file_case(village.service, village.operator)
    up, down = tmp_path / "up.bundle", tmp_path / "down.bundle"
    export_bundle(village.service, up)
    import_bundle(township.service, up)
    township.service.act(township.operator, case_no, "accepted")
    export_bundle(township.service, down, for_station=VILLAGE)
    assert import_bundle(village.service, down)["applied"] == 1
    assert village.service.case(case_no).status == "accepted"
    with pytest.raises(BadInput, match="不在其中"):  # not its case: the stick is not even sealed to it
        import_bundle(neighbour.service, down)
    assert neighbour.service.store.case_events(case_no) == []


def test_an_altered_bundle_is_refused(world: World, tmp_path: Path) -> None:
    village, township = world.sites[VILLAGE], world.sites[TOWNSHIP]
    file_case(village.service, village.operator)
    stick = tmp_path / "stick.bundle"
    export_bundle(village.service, stick)
    data = bytearray(stick.read_bytes())
    data[data.rindex(b'{"payload_sha256"') - 40] ^= 0x01  # one bit of the sealed events, before the signature
    stick.write_bytes(bytes(data))
    with pytest.raises(BadInput, match="损坏|无法读取"):
        import_bundle(township.service, stick)


def test_hub_refuses_a_bundle_signed_by_a_key_it_does_not_know(world: World, tmp_path: Path) -> None:
    village, township = world.sites[VILLAGE], world.sites[TOWNSHIP]
    file_case(village.service, village.operator)
    stick = tmp_path / "stick.bundle"
    export_bundle(village.service, stick)
    import_bundle(township.service, stick)
    world.store.enroll(VILLAGE, world.sites[VILLAGE_2].public_key)
    with township.client() as client:
        client.sync_once()
    assert world.store.event_total() == 0
