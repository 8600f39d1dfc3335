"""A new PC restores a station through the hub, alone or after a backup, and carries on its chain."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cityhall.chainstore import chain_reports
from cityhall.revocation import revoke_station
from station.attachments import AUTHORISATION, attach_files, blob_files, list_attachments
from station.backup import write_backup
from station.errors import NotAllowed
from station.recovery import parse_recovery_key
from station.restore_backup import restore_from_backup
from sync.files import FileTransfer
from sync.restore import RESTORE_SERIAL_GAP, lost_window, restore_from_hub, serial_floors
from tests.attachments.scans import tiny_pdf
from tests.support.demo import VILLAGE
from tests.support.hub import file_case, make_station

from .conftest import Site, World


def _new_pc(world: World, root: Path) -> Site:
    world.sites[VILLAGE].service.close()
    revoke_station(world.store.engine, VILLAGE, "硬盘损坏")
    world.store.forget_revocations()
    service, operator, key = make_station(root, VILLAGE, world.sites[VILLAGE].service.home.topology_file)
    world.store.enroll(VILLAGE, key)
    return Site(service, operator, key)


def _serial(case_no: str) -> int:
    return int(case_no[20:24])


def test_backup_then_hub_brings_back_unpushed_events_and_the_chain_stays_intact(world: World, tmp_path: Path) -> None:
    old = world.sites[VILLAGE]
    recovery = (old.service.home.root / "recovery.pub").exists()
    assert recovery
    synced = [file_case(old.service, old.operator, i) for i in range(3)]
    with old.client() as client:
        assert client.sync_once().pushed == 6
    unpushed = [file_case(old.service, old.operator, i) for i in range(2)]
    backup = tmp_path / "nightly.ssbackup"
    # the recovery key is printed once at init: here, the test makes the pair it knows
    from station.recovery import new_recovery_key, recovery_key_text, write_public

    key = new_recovery_key()
    write_public(old.service.home.root, key)
    write_backup(old.service.home, VILLAGE, old.service.now().isoformat(timespec="seconds"), backup,
                 old.service.store_key(), blob_files(old.service))
    lost = file_case(old.service, old.operator)
    new = _new_pc(world, tmp_path / "new")

    restored = restore_from_backup(new.service, backup, parse_recovery_key(recovery_key_text(key)))
    assert (restored.events, restored.pending) == (10, 4)
    report = restore_from_hub(new.service, give_up_after=5)
    assert report.cases == 5 and report.own_events == 6 and report.new_events == 0
    assert report.last_event["case_no"] == synced[-1]
    with new.client() as client:
        sync = client.sync_once()
    assert (sync.pushed, sync.rejected) == (4, 0)  # what the old PC had not sent goes up with the new key
    fresh = file_case(new.service, new.operator)
    assert fresh not in synced + unpushed + [lost] and _serial(fresh) > _serial(lost)
    with new.client() as client:
        client.sync_once()
    chain = chain_reports(world.store.engine, VILLAGE)[0]
    assert (chain.status, chain.events) == ("intact", 12)
    new.service.close()


def test_restoring_twice_changes_nothing(world: World, tmp_path: Path) -> None:
    old = world.sites[VILLAGE]
    cases = [file_case(old.service, old.operator, i) for i in range(2)]
    with old.client() as client:
        client.sync_once()
    new = _new_pc(world, tmp_path / "new")
    first = restore_from_hub(new.service, give_up_after=5)
    second = restore_from_hub(new.service, give_up_after=5)
    assert (first.cases, first.new_events, second.cases, second.new_events) == (2, 4, 2, 0)
    assert first.next_serial == second.next_serial
    assert new.service.store.outbox_counts() == {"pending": 0, "pushed": 4, "rejected": 0}
    assert sorted(r["case_no"] for r in new.service.store.case_rows()) == sorted(cases)
    new.service.close()


def test_serials_skip_ahead_only_on_the_days_the_lost_pc_may_have_used() -> None:
    window = lost_window("1764547200000.00000", date(2025, 12, 3))  # the hub's last event: 2025-12-01 (China time)
    assert [d.isoformat() for d in window] == ["2025-12-01", "2025-12-02", "2025-12-03"]
    floors = serial_floors({"2025-11-30": 40, "2025-12-01": 15, "2025-12-03": 9990}, window)
    assert floors == {"2025-12-01": 15 + RESTORE_SERIAL_GAP, "2025-12-02": RESTORE_SERIAL_GAP, "2025-12-03": 9999}
    assert [d.isoformat() for d in lost_window(None, date(2025, 12, 3))] == ["2025-12-03"]


def test_attachments_of_restored_cases_can_be_fetched_again(world: World, tmp_path: Path) -> None:
    old = world.sites[VILLAGE]
    case_no = file_case(old.service, old.operator)
    scan = tmp_path / "委托书.pdf"
    scan.write_bytes(tiny_pdf())
    attach_files(old.service, old.operator, case_no, AUTHORISATION, [scan])
    with old.client() as client:
        client.sync_once()
    with FileTransfer(old.service, world.url) as transfer:
        assert transfer.upload_pending().uploaded == 1
    new = _new_pc(world, tmp_path / "new")
    restore_from_hub(new.service, give_up_after=5)
    assert [row["path"] for row in list_attachments(new.service, case_no)] == [None]
    with FileTransfer(new.service, world.url) as transfer:
        assert transfer.fetch_case(case_no).fetched == 1
    assert Path(list_attachments(new.service, case_no)[0]["path"]).read_bytes() == scan.read_bytes()
    new.service.close()


def test_restore_before_the_new_key_is_enrolled_says_what_to_do(world: World, tmp_path: Path) -> None:
    service, _, _ = make_station(tmp_path / "new", VILLAGE, world.sites[VILLAGE].service.home.topology_file)
    with pytest.raises(NotAllowed, match="cityhall revoke.*cityhall enroll"):
        restore_from_hub(service, give_up_after=5)
    assert service.store.event_count() == 0 and service.store.get_meta("chain_head") is None
    service.close()
