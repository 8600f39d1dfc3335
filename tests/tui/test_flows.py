"""Whole flows through the app with Pilot, checked against the events in the store."""
from __future__ import annotations

import json

import pytest
from textual import events
from textual.widgets import Checkbox, OptionList, Static

from station.service import StationService
from station.tui.screens.case import CaseScreen
from station.tui.screens.home import HomeScreen
from station.tui.screens.intake import IntakeScreen
from station.tui.screens.notice import NoticeScreen
from station.tui.screens.receipt import ReceiptScreen
from station.tui.screens.sign_in import SignInScreen
from station.tui.widgets.materials_checklist import MaterialsChecklist

from .conftest import (
    AGENT_PIN, APPROVER_PIN, CITIZEN_ID, CLERK_PIN, file_example_case, make_app, paste, settle, sign_in, type_text,
)


def _events(service: StationService) -> list[dict]:
    rows = service.store.db.query("SELECT body FROM events ORDER BY rowid")
    return [json.loads(row["body"]) for row in rows]


async def _fill_citizen_and_item(pilot, id_number: str, name: str) -> None:  # noqa: ANN001
    await pilot.press("n")
    await settle(pilot)
    await type_text(pilot, id_number[:6])
    await paste(pilot, id_number[6:])
    await pilot.press("enter")  # nobody found: the ID becomes the new citizen's
    await paste(pilot, name)
    await pilot.press("enter", "enter")  # name, then an empty phone finishes the step
    await type_text(pilot, "lsjz")  # 临时救助 by its pinyin initials
    await pilot.press("enter")
    await settle(pilot)


async def _fill_form(pilot) -> None:  # noqa: ANN001
    await pilot.press("enter", "down", "enter", "tab")  # 救助类型: open, pick 急难型, move on
    await paste(pilot, "2026年10月家中房屋失火衣物口粮被毁")
    await pilot.press("enter")
    await type_text(pilot, "4")
    await pilot.press("enter", "enter")  # household size; skip the optional amount
    await paste(pilot, "湖北农商银行")
    await pilot.press("enter")
    await paste(pilot, "6228480402564890018")
    await pilot.press("enter")
    await paste(pilot, "王𠮷祥")
    await pilot.press("enter")
    await settle(pilot)


async def test_agent_files_a_case_with_a_deferred_material(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        assert isinstance(app.screen, HomeScreen)
        await _fill_citizen_and_item(pilot, CITIZEN_ID, "王𠮷祥")
        await _fill_form(pilot)
        assert isinstance(app.focused, MaterialsChecklist)
        await pilot.press("r", "r", "r", "d")  # the bank card copy is owed (容缺)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.screen.query_one("#authorised", Checkbox).has_focus
        await pilot.press("ctrl+s")  # not ticked: a reminder, nothing filed
        await settle(pilot)
        reminder = app.screen.query_one("#confirm-problems", Static)
        assert "授权书" in str(reminder.content) and not _events(village)
        await pilot.press("space")
        await settle(pilot)
        assert str(reminder.content) == ""  # ticked: the reminder goes
        await pilot.press("ctrl+n")  # the steps' key, once too often: ^s alone files
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen) and not _events(village)
        offered = {b.key for (_, b, enabled, _) in app.screen.active_bindings.values() if enabled}
        assert "ctrl+s" in offered and "ctrl+n" not in offered
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        receipt = str(app.screen.query_one("#document-text").render())
        assert "▀" in receipt or "▄" in receipt
        case_no = app.screen.case_no
    (event,) = _events(village)
    assert event["kind"] == "received" and event["actor"] == "a01" and event["case"] == case_no
    statuses = {m["key"]: m["status"] for m in event["data"]["materials"]}
    assert statuses["bank_card_copy"] == "deferred" and statuses["hardship_proof"] == "received"
    assert event["data"]["applicant"]["name"] == "王𠮷祥"
    assert event["data"]["fields"]["household_size"] == 4
    assert village.store.citizen(CITIZEN_ID)["name"] == "王𠮷祥"


async def test_missing_required_material_gives_the_notice_and_files_nothing(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await _fill_citizen_and_item(pilot, CITIZEN_ID, "王𠮷祥")
        await _fill_form(pilot)
        await pilot.press("down", "r")  # only the ID papers; the application form is missing
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, NoticeScreen)
        notice = app.screen.text
        assert "一次性告知书" in notice and "临时救助申请书" in notice and "王*" in notice
        await pilot.press("p")
        await settle(pilot)
    assert village.store.event_count() == 0
    assert village.store.citizen(CITIZEN_ID) is None
    assert (village.home.root / "prints").is_dir()


async def test_township_accepts_then_an_approver_decides(village: StationService, township: StationService) -> None:
    agent = village.sign_in("a01", AGENT_PIN)
    case_no = file_example_case(village, agent)
    village.act(agent, case_no, "forwarded")
    township.apply_events(village.store.case_events(case_no))
    app = make_app(township)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "c01", CLERK_PIN)
        await pilot.press("enter")  # the case waiting here is the first line of the board
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        offered = [o.id for o in app.screen.query_one("#case-actions", OptionList).options]
        assert "accepted" in offered and "approved" not in offered  # a clerk never approves
        await _choose_action(pilot, "accepted")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("f9")  # the approver takes the seat, no restart
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        await sign_in(pilot, "p01", APPROVER_PIN)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        offered = [o.id for o in app.screen.query_one("#case-actions", OptionList).options]
        assert "approved" in offered and "accepted" not in offered
        await _choose_action(pilot, "approved")
        await pilot.press("ctrl+s")
        await settle(pilot)
    kinds = [(e["kind"], e["actor"], e["station"]) for e in _events(township) if e["station"] == township.station.code]
    assert kinds == [("accepted", "c01", township.station.code), ("approved", "p01", township.station.code)]
    assert township.case(case_no).status == "approved"


async def _choose_action(pilot, kind: str) -> None:  # noqa: ANN001
    listing = pilot.app.screen.query_one("#case-actions", OptionList)
    listing.focus()
    listing.highlighted = listing.get_option_index(kind)
    await pilot.press("enter")
    await settle(pilot)


async def test_refusal_asks_for_a_reason(village: StationService, township: StationService) -> None:
    agent = village.sign_in("a01", AGENT_PIN)
    case_no = file_example_case(village, agent)
    village.act(agent, case_no, "forwarded")
    township.apply_events(village.store.case_events(case_no))
    app = make_app(township)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "c01", CLERK_PIN)
        app.open_case(case_no)
        await settle(pilot)
        await _choose_action(pilot, "refused")
        await pilot.press("ctrl+s")  # no reason yet: the dialog stays and says so
        await settle(pilot)
        assert "理由" in str(app.screen.query_one("#action-problem").render())
        await type_text(pilot, "不属于本镇管辖𠮷")
        await pilot.press("enter")
        await settle(pilot)
    assert township.case(case_no).status == "refused"
    assert township.case(case_no).timeline[-1]["data"]["reason"] == "不属于本镇管辖𠮷"


async def test_wrong_pin_is_a_message_and_idle_locks(village: StationService) -> None:
    app = make_app(village)
    app.idle_lock_seconds = 0.3  # the idle check runs every 0.075 s from now on
    async with app.run_test(size=(80, 24)) as pilot:
        app.idle_lock_seconds = 3600  # no lock while the PIN is checked, however busy the machine
        await sign_in(pilot, "a01", "0000")
        assert isinstance(app.screen, SignInScreen)
        assert "密码不对" in str(app.screen.query_one("#sign-in-message").render())
        await type_text(pilot, AGENT_PIN)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        app.idle_lock_seconds = 0.3
        await pilot.pause(0.6)
        assert isinstance(app.screen, SignInScreen) and app.screen.locked_by is not None
        app.idle_lock_seconds = 3600
        await type_text(pilot, AGENT_PIN)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


@pytest.mark.parametrize("typed", ["a01\t2468\r", "a01\r2468\r"])
async def test_sign_in_typed_in_one_burst(village: StationService, typed: str) -> None:
    """Keys that arrive together (tmux, a quick typist) land in the field they were typed for."""
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for char in typed:
            key = {"\t": "tab", "\r": "enter"}.get(char, char)
            app.post_message(events.Key(key, char))  # queued together, not one press at a time
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.operator is not None and app.operator.id == "a01"


async def test_tab_moves_between_the_sign_in_fields(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await type_text(pilot, "a01")
        await pilot.press("tab")
        assert app.focused is not None and app.focused.id == "pin"
        await type_text(pilot, AGENT_PIN)
        await pilot.press("shift+tab")
        assert app.focused is not None and app.focused.id == "operator-id"
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_english_is_available(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        app.toggle_language()
        await settle(pilot)
        assert "Today" in str(app.screen.query_one("#today-title").render())
        app.toggle_language()
        await settle(pilot)
        assert "今日待办" in str(app.screen.query_one("#today-title").render())
