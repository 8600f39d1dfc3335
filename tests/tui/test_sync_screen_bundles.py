"""The sync screen writes a stick for a station below, as ``station bundle export --for`` does.

A township holds its villages' cases (pulled, or from their sticks). On the sync screen it
chooses where the stick goes: up, or to one village below. The stick for the village is
sealed to that village too, so the village can import it; one written up is not.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Select, Static

from station.errors import BadInput
from station.service import StationService

from station.tui.screens.sync import SyncScreen
from station.tui.sync_loop_port import LoopSyncPort
from sync.carry import export_bundle, import_bundle
from tests.support.demo import TOWNSHIP, VILLAGE
from tests.support.hub import file_case, make_station, topology_for
from tests.support.keys import introduce
from tests.tui.conftest import make_app, settle, sign_in


async def _export_on_the_sync_screen(township_app, stick: Path, below: int) -> str:  # noqa: ANN001 - StationApp
    async with township_app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "T01", "1234")
        await pilot.press("s")
        await settle(pilot)
        screen = township_app.screen
        assert isinstance(screen, SyncScreen)
        audience = screen.query_one("#bundle-for", Select)
        assert audience.value == "" and screen.query_one("#sync-buttons").region.bottom <= 24  # up, unless chosen
        screen.query_one("#bundle-path", Input).value = str(stick)
        audience.focus()
        for _ in range(below):  # the list opens on "up"; each Down is the next station below, in the config's order
            await pilot.press("enter", "down", "enter")
            await settle(pilot)
        assert audience.value == (township_app.service.topology.descendants(TOWNSHIP)[below - 1] if below else "")
        await pilot.click("#bundle-export")
        await settle(pilot)
        return str(screen.query_one("#sync-message", Static).render())


def _township_holding_a_village_case(tmp_path: Path) -> tuple[StationService, StationService, str]:
    """A village with one case, and its township holding that case from the village's stick."""
    config = topology_for(tmp_path, 9)
    village, agent, _ = make_station(tmp_path, VILLAGE, config)
    township, _, _ = make_station(tmp_path, TOWNSHIP, config, role="approver", agent="T01")
    introduce(village, township)
    case_no = file_case(village, agent)
    export_bundle(village, tmp_path / "up.ssb")
    import_bundle(township, tmp_path / "up.ssb")
    return village, township, case_no


async def _exported_by_the_app(township: StationService, stick: Path, below: int) -> str:
    port = LoopSyncPort(township)
    try:
        return await _export_on_the_sync_screen(make_app(township, sync=port), stick, below)
    finally:
        port.close()


async def test_a_township_writes_a_stick_its_village_can_open(tmp_path: Path) -> None:
    village, township, case_no = _township_holding_a_village_case(tmp_path)
    message = await _exported_by_the_app(township, tmp_path / "down.ssb", 1)

    assert f"（送给下级站点 {VILLAGE}）" in message
    imported = import_bundle(village, tmp_path / "down.ssb")
    assert imported["from"] == TOWNSHIP and imported["events"] == len(village.store.case_events(case_no))
    village.close()
    township.close()


async def test_a_stick_written_up_is_not_for_the_village(tmp_path: Path) -> None:
    village, township, _ = _township_holding_a_village_case(tmp_path)
    message = await _exported_by_the_app(township, tmp_path / "again.ssb", 0)

    assert "送给下级站点" not in message and "数据包已导出到" in message
    with pytest.raises(BadInput, match=f"本站 {VILLAGE} 不在其中"):
        import_bundle(village, tmp_path / "again.ssb")
    village.close()
    township.close()
