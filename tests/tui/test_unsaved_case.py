"""Leaving a case that is being filled in asks first; the safe answer keeps everything typed."""
from __future__ import annotations

from textual.widgets import Input

from station.service import StationService
from station.tui.screens.confirm import ConfirmScreen
from station.tui.screens.home import HomeScreen
from station.tui.screens.intake import IntakeScreen
from station.tui.screens.sign_in import SignInScreen

from .conftest import AGENT_PIN, CITIZEN_ID, make_app, paste, settle, sign_in, type_text


async def _start_a_case(pilot) -> Input:  # noqa: ANN001 - textual Pilot
    await pilot.press("n")
    await settle(pilot)
    await type_text(pilot, CITIZEN_ID[:6])
    await paste(pilot, CITIZEN_ID[6:])
    await pilot.press("enter")  # nobody found: the ID becomes the new citizen's
    await paste(pilot, "王𠮷祥")
    await settle(pilot)
    return pilot.app.focused


async def test_escape_asks_and_no_keeps_what_was_typed_yes_leaves(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        name_box = await _start_a_case(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "还没有保存" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen) and name_box.value == "王𠮷祥"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_switching_operator_and_quitting_ask_first(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await _start_a_case(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen) and app.operator is not None
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and app.is_running
        await pilot.press("y")
        await settle(pilot)
    assert not app.is_running


async def test_nothing_typed_leaves_without_asking(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await pilot.press("n")
        await settle(pilot)
        await type_text(pilot, "wx")  # a search alone is nothing to lose
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)


def test_the_authorisation_box_is_empty_until_ticked() -> None:
    from station.tui.widgets.confirm_step import TickBox

    box = TickBox("申请人已签署委托代办授权书")
    assert box.BUTTON_INNER == " "
    box.value = True
    assert box.BUTTON_INNER == "✔"
    box.value = False
    assert box.BUTTON_INNER == " "
