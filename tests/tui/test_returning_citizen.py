"""Step ① with a citizen already registered: details come from the register, never silently overwritten."""
from __future__ import annotations

from textual.widgets import Input, Static

from station.ledger import display_case_no
from station.service import StationService
from station.tui.screens.intake import IntakeScreen
from station.tui.widgets.citizen_step import CitizenResults
from station.tui.widgets.field_row import FieldRow

from .conftest import AGENT_PIN, ITEM, file_example_case, make_app, paste, settle, sign_in, type_text

ZENG_ID = "11010519491231002X"
ZENG_OLD_ID = "110105491231002"  # the same person's 15-digit ID card
ZENG_NAME = "曾𠮷"
ZENG_PHONE = "13812345678"


def _register_zeng(service: StationService) -> None:
    with service.store.write():
        service.store.remember_citizen(ZENG_ID, ZENG_NAME, ZENG_PHONE)


def _field(pilot, key: str) -> FieldRow:  # noqa: ANN001 - textual Pilot
    return pilot.app.screen.query_one(f"#citizen-{key}", FieldRow)


def _kind(pilot) -> str:  # noqa: ANN001 - textual Pilot
    return str(pilot.app.screen.query_one("#citizen-kind", Static).render())


async def _new_case(pilot) -> None:  # noqa: ANN001 - textual Pilot
    await sign_in(pilot, "a01", AGENT_PIN)
    await pilot.press("n")
    await settle(pilot)


async def test_tab_from_an_empty_search_goes_to_the_id_number(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await _new_case(pilot)
        await pilot.press("tab")
        assert app.focused is _field(pilot, "id").query_one(Input)
        await type_text(pilot, "4201")
        assert _field(pilot, "id").value == "4201"


async def test_tab_from_a_search_with_results_goes_to_the_results(village: StationService) -> None:
    _register_zeng(village)
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await _new_case(pilot)
        await type_text(pilot, "zj")
        await settle(pilot)
        await pilot.press("tab")
        assert isinstance(app.focused, CitizenResults)


async def test_a_registered_id_typed_as_new_brings_the_registered_details(village: StationService) -> None:
    _register_zeng(village)
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await _new_case(pilot)
        await pilot.press("tab")
        await paste(pilot, ZENG_ID)
        await settle(pilot)
        assert _field(pilot, "name").value == ZENG_NAME
        assert _field(pilot, "phone").value == ZENG_PHONE
        assert _kind(pilot) == f"该身份证号已登记：{ZENG_NAME}，已自动带出"


async def test_a_15_digit_id_finds_the_citizen_under_the_18_digit_number(village: StationService) -> None:
    _register_zeng(village)
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await _new_case(pilot)
        await pilot.press("tab")
        await paste(pilot, ZENG_OLD_ID)
        await settle(pilot)
        assert _field(pilot, "name").value == ZENG_NAME
        await pilot.press("enter", "enter", "enter")  # ID, name, phone: the step is done
        await settle(pilot)
        assert app.screen.step == "item" and app.screen.draft.id_number == ZENG_ID


async def test_changing_a_registered_name_is_said_plainly(village: StationService) -> None:
    _register_zeng(village)
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await _new_case(pilot)
        await pilot.press("tab")
        await paste(pilot, ZENG_ID)
        await settle(pilot)
        await pilot.press("enter", "end", "backspace")  # on to the name; 𠮷 cannot be typed, so 吉 instead
        await paste(pilot, "吉")
        await settle(pilot)
        assert _field(pilot, "name").value == "曾吉"
        assert "登记姓名为“曾𠮷”" in _kind(pilot)
        assert app.screen.query_one("#citizen-kind").has_class("-warning")
        await pilot.press("enter", "enter", "l", "s", "j", "z", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IntakeScreen) and screen.step == "form"
        warnings = str(screen.query_one("#confirm-warnings", Static).render())
        assert "登记的姓名是“曾𠮷”，保存后将改为“曾吉”" in warnings
    assert village.store.citizen(ZENG_ID)["name"] == ZENG_NAME  # nothing filed, nothing changed


async def test_an_open_case_of_the_same_item_is_warned_about(village: StationService) -> None:
    agent = village.sign_in("a01", AGENT_PIN)
    case_no = file_example_case(village, agent, name=ZENG_NAME, id_number=ZENG_ID)
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await _new_case(pilot)
        await pilot.press("tab")
        await paste(pilot, ZENG_ID)
        await settle(pilot)
        await pilot.press("enter", "enter", "enter")
        await type_text(pilot, "lsjz")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IntakeScreen) and screen.draft.item and screen.draft.item.code == ITEM
        warnings = str(screen.query_one("#confirm-warnings", Static).render())
        expected = f"该申请人已有在办的临时救助（案件 {display_case_no(case_no)}），请勿重复收件"
        assert expected in warnings
        assert any(expected in str(n.message) for n in app._notifications)
        assert "登记的姓名" not in warnings  # the name is the registered one
