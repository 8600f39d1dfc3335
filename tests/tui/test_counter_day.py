"""A day at the counter: the small things an agent trips over many times a day (issue 17).

Each test drives the app at 80×24 with Pilot the way the agent's keys would.
"""
from __future__ import annotations

from datetime import datetime

from textual.command import CommandInput, CommandPalette
from textual.widgets import Input, Select, Static

from station.home import CHINA_TZ
from station.service import StationService
from station.tui.screens.home import HomeScreen
from station.tui.screens.info import InfoScreen
from station.tui.widgets.field_row import FieldRow
from station.tui.widgets.footer import StationFooter
from station.tui.widgets.form_step import FormStep
from station.tui.widgets.materials_checklist import MaterialsChecklist
from station.tui.widgets.sync_bar import SyncBar

from .test_layout import rows
from .conftest import AGENT_PIN, CITIZEN_ID, example_fields, make_app, paste, settle, sign_in, type_text

ZENG_ID = "11010519491231002X"
ZENG_NAME = "曾𠮷"
ZENG_PHONE = "13812345678"


def _bar_text(app) -> str:  # noqa: ANN001 - the app under test
    return str(app.screen.query_one(SyncBar).render())


async def test_the_last_contact_reads_as_a_date_and_time(village: StationService) -> None:
    contact = datetime(2026, 11, 23, 9, 5, tzinfo=CHINA_TZ).timestamp()
    village.store.set_meta("last_contact", f"{contact:.3f}")  # what a sync round stores: Unix seconds
    app = make_app(village)
    app.sync_refresh_seconds = 3600
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await settle(pilot)
        assert "上次联系 11-23 09:05" in _bar_text(app)


async def test_station_info_is_one_key_away_on_the_today_screen(village: StationService) -> None:
    from station.info import station_info

    key = station_info(village).public_key
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, InfoScreen)
        shown = str(app.screen.query_one("#info-text", Static).render())
        assert key in shown and village.station.code in shown and "村（社区）" in shown
        assert "http://127.0.0.1:8700" in shown and f"--public-key={key}" in shown
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def _to_the_form(pilot, item_initials: str = "lsjz") -> None:  # noqa: ANN001 - textual Pilot
    await sign_in(pilot, "a01", AGENT_PIN)
    await pilot.press("n")
    await settle(pilot)
    await paste(pilot, CITIZEN_ID)
    await pilot.press("enter")
    await paste(pilot, "王𠮷祥")
    await pilot.press("enter", "enter")
    await type_text(pilot, item_initials)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert app_focus_in_form(pilot.app)


def app_focus_in_form(app) -> bool:  # noqa: ANN001 - the app under test
    return app.focused is not None and app.screen.query_one(FormStep) in app.focused.ancestors


def _row(app, key: str) -> FieldRow:  # noqa: ANN001 - the app under test
    return app.screen.query_one(f"#field-{key}", FieldRow)


async def test_choosing_from_a_dropdown_keeps_the_cursor_there(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_the_form(pilot)
        rows = list(app.screen.query_one(FormStep).query(FieldRow))
        first = rows[0]
        assert first.choices and app.focused is first.query_one(Select)
        await pilot.press("enter", "down", "enter")  # open, pick the first choice
        await settle(pilot)
        assert first.value and app.focused is first.query_one(Select)
        await pilot.press("tab")
        assert app.focused is rows[1].query_one(Input)  # Tab goes to the very next field, none skipped


async def test_an_open_dropdown_hints_in_chinese(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_the_form(pilot)
        await pilot.press("enter")  # open the first field's dropdown
        await settle(pilot)
        hints = [hint.description for hint in app.screen.query_one(StationFooter).hints]
        assert "收起列表" in hints and not any(h and h.isascii() and h.strip() for h in hints), hints


async def test_the_command_palette_asks_in_chinese(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(CommandInput).placeholder == "搜索命令…"


async def test_choosing_on_the_last_field_does_not_leave_the_form(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_the_form(pilot, "420115XK0001")  # 宅基地: its form ends with a yes/no choice
        *others, last = list(app.screen.query_one(FormStep).query(FieldRow))
        examples = example_fields(village, "420115XK0001")
        for row in others:  # everything else filled in: a finished form would move on to the materials
            row.set_value(examples[row.key])
        assert last.choices
        others[-1].focus_input()
        await settle(pilot)
        await pilot.press("tab")
        await settle(pilot)
        assert app.focused is last.query_one(Select)
        await pilot.press("enter", "down", "enter")
        await settle(pilot)
        assert app.screen.query_one(FormStep).display and not isinstance(app.focused, MaterialsChecklist)


async def test_entering_a_filled_field_does_not_select_its_text(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("tab")
        await paste(pilot, CITIZEN_ID)
        await pilot.press("tab", "shift+tab")  # leave the ID number and come back to it
        await pilot.press("backspace")
        id_row = app.screen.query_one("#citizen-id", FieldRow)
        assert id_row.value == CITIZEN_ID[:-1]  # one digit gone, not all 18


async def test_a_refused_step_does_not_select_the_bad_field(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("tab")
        await paste(pilot, CITIZEN_ID[:-1] + "9")  # a wrong check digit
        await pilot.press("tab")
        await paste(pilot, "王𠮷祥")
        await pilot.press("ctrl+n")  # refused: back to the ID number
        await settle(pilot)
        focused = app.focused
        assert isinstance(focused, Input) and focused.value == CITIZEN_ID[:-1] + "9"
        assert focused.selection.is_empty


async def test_another_id_number_takes_back_the_registered_name_and_phone(village: StationService) -> None:
    with village.store.write():
        village.store.remember_citizen(ZENG_ID, ZENG_NAME, ZENG_PHONE)
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("tab")
        await paste(pilot, ZENG_ID)
        await settle(pilot)
        name, phone = (app.screen.query_one(f"#citizen-{key}", FieldRow) for key in ("name", "phone"))
        assert (name.value, phone.value) == (ZENG_NAME, ZENG_PHONE)
        id_input = app.screen.query_one("#citizen-id", FieldRow).query_one(Input)
        id_input.value = CITIZEN_ID  # an unregistered person after all
        await settle(pilot)
        assert (name.value, phone.value) == ("", "")
        assert "请填写" not in str(name.query_one(".field-problem", Static).render())


async def test_a_name_typed_over_the_registered_one_stays_when_the_id_changes(village: StationService) -> None:
    with village.store.write():
        village.store.remember_citizen(ZENG_ID, ZENG_NAME, ZENG_PHONE)
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("tab")
        await paste(pilot, ZENG_ID)
        await settle(pilot)
        name = app.screen.query_one("#citizen-name", FieldRow)
        name.query_one(Input).value = "曾小𠮷"
        app.screen.query_one("#citizen-id", FieldRow).query_one(Input).value = CITIZEN_ID
        await settle(pilot)
        assert name.value == "曾小𠮷"


async def test_one_case_number_is_spelled_one_way_on_every_screen(village: StationService) -> None:
    from rich.cells import cell_len

    from station.ledger import display_case_no
    from station.tui.widgets.board_list import BoardList
    from station.tui.widgets.case_table import CaseTable

    from .conftest import file_example_case

    agent = village.sign_in("a01", AGENT_PIN)
    grouped = display_case_no(file_example_case(village, agent))
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await settle(pilot)
        board_rows = [str(option.prompt) for option in app.screen.query_one(BoardList).options if option.id]
        assert board_rows and all(grouped in row and cell_len(row) <= 78 for row in board_rows)
        await pilot.press("c")
        await settle(pilot)
        table = app.screen.query_one(CaseTable)
        assert str(table.get_row_at(0)[0]) == grouped
        assert sum(column.get_render_width(table) for column in table.columns.values()) <= 80


def test_an_on_the_spot_item_s_receipt_says_done_the_day_it_is_accepted(village: StationService) -> None:
    from station.service import IntakeRequest
    from station.tui.screens.receipt import receipt_text

    from .conftest import example_fields

    item = village.catalogue.get("420115GG0003")  # 生育登记: an instant item, promise 0 days
    assert item.instant and item.promise_days == 0
    agent = village.sign_in("a01", AGENT_PIN)
    filed = village.intake(agent, IntakeRequest(item.code, CITIZEN_ID, "王𠮷祥", "13907181234",
                                                example_fields(village, item.code),
                                                [m.key for m in item.materials if m.required], []))
    text = receipt_text(village, str(filed["case_no"]))
    assert "即办件，受理当日办结" in text and "承诺 0 个工作日" not in text


async def test_no_toast_covers_the_receipt_after_filing(village: StationService) -> None:
    from station.tui.screens.receipt import ReceiptScreen

    from .test_flows import _fill_citizen_and_item, _fill_form

    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        app.notify("a message from before the receipt", timeout=120)
        await _fill_citizen_and_item(pilot, CITIZEN_ID, "王𠮷祥")
        await _fill_form(pilot)
        await pilot.press("r", "r", "r", "d", "ctrl+n")
        await settle(pilot)
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        assert list(app._notifications) == []
        assert "已收件" in str(app.screen.query_one("#document-message", Static).render())
        await pilot.press("p")  # saved for printing: said on the message line, not in a toast
        await settle(pilot)
        assert list(app._notifications) == []
        assert "receipt-" in str(app.screen.query_one("#document-message", Static).render())


async def test_long_labels_are_shown_whole_with_their_units(village: StationService) -> None:
    from textual.widgets import Label

    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_the_form(pilot, "420115XK0001")  # 宅基地: 拟用宅基地面积（平方米） and longer
        await settle(pilot)
        for row in app.screen.query_one(FormStep).query(FieldRow):
            label = row.query_one(".field-label", Label)
            shown = "".join(strip.text for strip in label.render_lines(label.size.region)).replace(" ", "")
            assert shown == ("*" if row.required else "") + row.label.replace(" ", ""), shown


async def test_the_action_menu_starts_at_the_first_action_again_after_a_cancel(village: StationService) -> None:
    from station.tui.screens.action_dialog import ActionDialog
    from station.tui.screens.case import CaseScreen

    from .conftest import file_example_case

    case_no = file_example_case(village, village.sign_in("a01", AGENT_PIN))
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        app.open_case(case_no)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseScreen) and screen.choices is not None and len(screen.choices.actions) >= 2
        await pilot.press("a", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ActionDialog) and app.screen.choice.kind == screen.choices.actions[1].kind
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("a", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ActionDialog) and app.screen.choice.kind == screen.choices.actions[0].kind
        keys = rows(app)[-1]  # a dialog says its keys on the bottom line, as every screen does
        assert "^s 确定" in keys and "esc 取消" in keys, keys


async def test_down_then_enter_picks_the_citizen_found(village: StationService) -> None:
    with village.store.write():
        village.store.remember_citizen(ZENG_ID, ZENG_NAME, ZENG_PHONE)
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await pilot.press("n")
        await settle(pilot)
        await type_text(pilot, "zj")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.screen.query_one("#citizen-id", FieldRow).value == ZENG_ID


async def test_one_enter_in_the_search_picks_the_highlighted_citizen(village: StationService) -> None:
    with village.store.write():
        village.store.remember_citizen(ZENG_ID, ZENG_NAME, ZENG_PHONE)
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await pilot.press("n")
        await settle(pilot)
        await type_text(pilot, "zj")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#citizen-id", FieldRow).value == ZENG_ID
        assert app.focused is app.screen.query_one("#citizen-phone", FieldRow).query_one(Input)


def test_the_case_shows_form_answers_in_the_form_s_order() -> None:
    from station.tui.case_render import case_fields

    fields = {"bank_name": "农商行", "age_band": "90-99周岁", "zz_old_key": "x"}
    lines = case_fields(fields, {"age_band": "年龄段", "bank_name": "开户银行"}).plain.splitlines()[1:]
    assert lines == [" 年龄段：90-99周岁", " 开户银行：农商行", " zz_old_key：x"]


async def test_the_form_offers_no_example_as_a_choice_and_names_this_village(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_the_form(pilot, "gljt")  # 高龄津贴
        form = app.screen.query_one(FormStep)
        age_band = form.query_one("#field-age_band", FieldRow)
        assert age_band.placeholder == "（请选择）"
        group = form.query_one("#field-village_group", FieldRow)
        assert group.placeholder == "例：光星村五组"  # the catalogue's example is 和平村五组
        collector = form.query_one("#field-collector_name", FieldRow)
        assert "行动不便" not in collector.placeholder  # a help sentence is not a placeholder
        collector.focus_input()
        await settle(pilot)
        assert "本人行动不便" in str(form.query_one("#form-help", Static).render())


async def test_ctrl_s_is_offered_only_where_it_saves(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await pilot.press("n")
        await settle(pilot)
        footer_keys = {binding.key for (_, binding, enabled, _) in app.screen.active_bindings.values() if enabled}
        assert "ctrl+s" not in footer_keys and "ctrl+n" in footer_keys


def test_a_second_copy_of_the_app_on_one_home_is_refused(village: StationService) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    from station.tui.single_app import AppLock

    station = str(Path(sys.executable).parent / "station")
    env = os.environ | {"STATION_HOME": str(village.home.root)}
    with AppLock(village.home.root):  # the first copy, open at the counter
        second = subprocess.run([station, "tui"], capture_output=True, text=True, env=env, timeout=60,
                                stdin=subprocess.DEVNULL)
    assert second.returncode == 4
    assert "已经在运行" in second.stderr and "Traceback" not in second.stderr
    with AppLock(village.home.root):  # once the first has quit, the app opens again
        pass


async def test_marking_the_last_material_does_not_wrap_to_the_first(village: StationService) -> None:
    from .test_flows import _fill_citizen_and_item, _fill_form

    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await _fill_citizen_and_item(pilot, CITIZEN_ID, "王𠮷祥")
        await _fill_form(pilot)
        checklist = app.focused
        assert isinstance(checklist, MaterialsChecklist)
        count = checklist.option_count
        await pilot.press(*["r"] * count)  # every material received, top to bottom
        await pilot.press("d")  # once too often: it marks the last one again, not the first
        await settle(pilot)
        assert checklist.highlighted == count - 1
        first = checklist.materials[0].key
        assert first in checklist.keys_with("received")


def test_before_the_first_round_ends_the_bar_says_connecting_not_offline() -> None:
    from station.tui.sync_port import SyncStatus
    from station.tui.widgets.sync_bar import _sync_text
    from sync.loop import LoopStatus

    assert LoopStatus().online is None  # no round has ended: neither online nor offline
    first = str(_sync_text(SyncStatus(online=False, pending=2, rejected=0, last_contact=None, connecting=True)))
    assert "正在联系市中心" in first and "离线" not in first
    later = str(_sync_text(SyncStatus(online=False, pending=2, rejected=0, last_contact=None)))
    assert "离线" in later
