"""Keys that cannot do what was asked say why, instead of only ringing the bell."""
from __future__ import annotations

from station.service import StationService
from station.tui.screens.action_dialog import ActionDialog
from station.tui.widgets.materials_checklist import MaterialsChecklist

from .conftest import AGENT_PIN, CITIZEN_ID, file_example_case, make_app, settle, sign_in
from .test_flows import _choose_action, _fill_citizen_and_item, _fill_form


def _messages(app) -> list[str]:  # noqa: ANN001 - the running StationApp
    return [str(notification.message) for notification in app._notifications]


async def test_deferring_a_material_that_cannot_wait_says_so(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await _fill_citizen_and_item(pilot, CITIZEN_ID, "王𠮷祥")
        await _fill_form(pilot)
        checklist = app.focused
        assert isinstance(checklist, MaterialsChecklist)
        first = checklist.materials[0]
        await pilot.press("d")
        await settle(pilot)
        assert not first.deferrable and checklist.statuses[first.key] != "deferred"
        assert f"“{first.name}”不能容缺，需当场提交" in _messages(app)


async def test_recording_a_supplement_with_nothing_ticked_says_what_to_do(village: StationService) -> None:
    agent = village.sign_in("a01", AGENT_PIN)
    case_no = file_example_case(village, agent)
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        app.open_case(case_no)
        await settle(pilot)
        await _choose_action(pilot, "supplemented")
        assert isinstance(app.screen, ActionDialog)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(app.screen.query_one("#action-problem").render()) == "请至少勾选一项材料（光标移到材料上按空格）"
    assert [e.kind for e in village.store.case_events(case_no)] == ["received"]


def test_saving_a_document_twice_keeps_both(village: StationService) -> None:
    from station.tui.printing import save_printable

    first = save_printable(village.home, "notice-2343-420115GF0002", "一次性告知书 甲")
    second = save_printable(village.home, "notice-2343-420115GF0002", "一次性告知书 乙")
    assert first.name == "notice-2343-420115GF0002.txt" and second.name == "notice-2343-420115GF0002-2.txt"
    assert first.read_text(encoding="utf-8") == "一次性告知书 甲\n"


async def test_the_count_of_fields_to_fix_follows_each_fix(village: StationService) -> None:
    from textual.widgets import Input

    from station.tui.widgets.field_row import FieldRow
    from station.tui.widgets.form_step import FormStep

    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await _fill_citizen_and_item(pilot, CITIZEN_ID, "王𠮷祥")
        await pilot.press("ctrl+n")  # nothing filled in yet
        await settle(pilot)
        summary = app.screen.query_one("#form-summary")
        before = str(summary.render())
        bad = [row for row in app.screen.query(FieldRow) if row.problem()]
        assert before == f"还有 {len(bad)} 处需要修改" and len(bad) >= 2
        text_row = next(row for row in bad if not row.choices and "household" in row.key)
        text_row.query_one(Input).value = "4"
        await settle(pilot)
        assert str(summary.render()) == f"还有 {len(bad) - 1} 处需要修改"
        assert text_row.problem() is None and app.screen.query_one(FormStep).checked


async def test_a_long_line_of_the_notice_wraps_instead_of_being_cut(village: StationService) -> None:
    from station.tui.screens.notice import NoticeScreen

    line = "申请条件：" + "因火灾、交通事故等意外事件导致基本生活暂时出现严重困难的家庭" * 2
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        app.push_screen(NoticeScreen(line, "notice-test"))
        await settle(pilot)
        shown = app.screen.query_one("#document-text")
        assert shown.size.height >= 2 and shown.size.width <= 80
