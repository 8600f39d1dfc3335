"""Who reads a stick carried down, and a stick from below that the city hall will not take.

A township's plain export goes up only (the hub, itself, its ancestors) and carries no
events for the villages; ``--for CODE`` writes one village's stick with that village's cases
only. A stick from below that is not sealed to the city hall is refused at import, and a
relay file the city hall refuses is set aside so it never blocks a sync.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from station.enckey import encryption_private, encryption_public
from station.errors import BadInput
from station.relay_queue import refused_folder, relay_folder
from sync.bundle import read_bundle
from sync.carry import export_bundle, import_bundle
from sync.sealed_bundle import HUB, NotARecipient, Recipient, write_sealed_bundle
from tests.support.demo import OTHER_VILLAGE, TOWNSHIP, VILLAGE, VILLAGE_2
from tests.support.events import sample_events
from tests.support.hub import file_case

from .conftest import World


def _filed_and_synced(world: World) -> tuple[str, str]:
    v1, v2, township = world.sites[VILLAGE], world.sites[VILLAGE_2], world.sites[TOWNSHIP]
    case1 = file_case(v1.service, v1.operator, 0)
    case2 = file_case(v2.service, v2.operator, 1)
    for site in (v1, v2, township):
        site.client().sync_once()
    return case1, case2


def test_a_plain_export_of_the_township_carries_nothing_for_the_villages(world: World, tmp_path: Path) -> None:
    case1, case2 = _filed_and_synced(world)
    township = world.sites[TOWNSHIP]
    stick = tmp_path / "up.bundle"
    result = export_bundle(township.service, stick)
    assert set(result["sealed_to"]) == {HUB, TOWNSHIP}  # the demo county is not enrolled here
    assert result["events"] == 0
    opened = read_bundle(stick.read_bytes(), keys={HUB: _hub_key(world)})
    assert {e.case for e in opened.events} & {case1, case2} == set()
    for village in (VILLAGE, VILLAGE_2):
        with pytest.raises(NotARecipient):
            read_bundle(stick.read_bytes(), keys={village: encryption_private(world.sites[village].service.store)})


def test_a_stick_for_one_village_is_not_readable_by_its_neighbour(world: World, tmp_path: Path) -> None:
    case1, case2 = _filed_and_synced(world)
    township, v1, v2 = world.sites[TOWNSHIP], world.sites[VILLAGE], world.sites[VILLAGE_2]
    stick = tmp_path / "down.bundle"
    result = export_bundle(township.service, stick, for_station=VILLAGE)
    assert set(result["sealed_to"]) == {HUB, TOWNSHIP, VILLAGE}
    opened = read_bundle(stick.read_bytes(), keys={VILLAGE: encryption_private(v1.service.store)})
    assert {e.case for e in opened.events} == {case1}
    with pytest.raises(NotARecipient):
        read_bundle(stick.read_bytes(), keys={VILLAGE_2: encryption_private(v2.service.store)})
    with pytest.raises(BadInput, match="不在其中，什么也没有导入"):
        import_bundle(v2.service, stick)
    assert case2 not in {e.case for e in opened.events}


def test_the_township_s_own_decision_on_a_village_case_goes_down_but_not_its_other_cases(
        world: World, tmp_path: Path) -> None:
    case1, _ = _filed_and_synced(world)
    township = world.sites[TOWNSHIP]
    township.service.act(township.operator, case1, "accepted")
    own_case = file_case(township.service, township.operator, 2, forward=False)
    township.client().sync_once()  # the decision went up: it is not pending any more
    stick = tmp_path / "down.bundle"
    export_bundle(township.service, stick, for_station=VILLAGE)
    opened = read_bundle(stick.read_bytes(), keys={VILLAGE: encryption_private(world.sites[VILLAGE].service.store)})
    assert any(e.case == case1 and e.kind == "accepted" and e.station == TOWNSHIP for e in opened.events)
    assert own_case not in {e.case for e in opened.events}
    assert opened.carried == []


def test_a_stick_for_a_station_not_below_is_refused_naming_every_problem(world: World, tmp_path: Path) -> None:
    _filed_and_synced(world)
    township = world.sites[TOWNSHIP]
    for code in (TOWNSHIP, OTHER_VILLAGE, "4201"):
        stick = tmp_path / f"{code}.bundle"
        with pytest.raises(BadInput) as refused:
            export_bundle(township.service, stick, for_station=code)
        assert code in str(refused.value) and "下级" in str(refused.value)
        assert not stick.exists() and not stick.with_name(stick.name + ".part").exists()


def _hub_key(world: World):  # noqa: ANN202
    from cityhall.bundles import hub_private_key

    return hub_private_key(world.store.engine)


def _stick_sealed_to_township_only(world: World, tmp_path: Path) -> Path:
    township = world.sites[TOWNSHIP]
    stranger = Ed25519PrivateKey.generate()  # enrolled nowhere: the township cannot tell
    data = write_sealed_bundle(stranger, VILLAGE, sample_events(2), "2026-11-22T10:00:00+08:00",
                               [Recipient(TOWNSHIP, encryption_public(township.service.home.root))])
    stick = tmp_path / "stick.bundle"
    stick.write_bytes(data)
    return stick


def test_a_stick_from_below_not_sealed_to_the_hub_is_refused_at_import(world: World, tmp_path: Path) -> None:
    township = world.sites[TOWNSHIP]
    township.client().sync_once()
    before = township.service.store.outbox_counts()
    stick = _stick_sealed_to_township_only(world, tmp_path)
    with pytest.raises(BadInput, match="市政务服务中心") as refused:
        import_bundle(township.service, stick)
    assert "什么也没有导入" in str(refused.value)
    assert not relay_folder(township.service.home.root).is_dir() or \
        not list(relay_folder(township.service.home.root).glob("*.bundle"))
    assert township.service.store.outbox_counts() == before
    assert township.client().sync_once().refused_bundles == 0


def test_a_relay_file_the_hub_refuses_is_set_aside_and_the_sync_goes_on(world: World, tmp_path: Path) -> None:
    township = world.sites[TOWNSHIP]
    township.client().sync_once()
    queued = relay_folder(township.service.home.root)
    queued.mkdir(exist_ok=True)
    bad = queued / f"{VILLAGE}-0123456789abcdef-2e.bundle"  # as an older version queued it
    bad.write_bytes(_stick_sealed_to_township_only(world, tmp_path).read_bytes())
    file_case(township.service, township.operator, 3, forward=False)

    report = township.client().sync_once()

    assert (report.refused_bundles, report.relayed_bundles, report.pending) == (1, 0, 0)
    assert report.pushed > 0 and not bad.exists()
    kept = refused_folder(township.service.home.root) / bad.name
    assert kept.read_bytes().startswith(b"SSBUNDLE2")
    assert "sealed" in json.loads(kept.with_name(kept.name + ".json").read_text("utf-8"))["reason"]
    assert township.client().sync_once().refused_bundles == 0  # set aside once, not again
