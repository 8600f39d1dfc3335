"""Layout at 80×24 and 60×20: the receipt's QR code without scrolling, dialogs that break
Chinese between phrases, key hints that are whole or left out, never cut."""
from __future__ import annotations

import re

import zxingcpp
from rich.cells import cell_len
from textual.strip import Strip

from station.receipts import qr_matrix, render_text
from station.service import StationService
from station.tui.i18n import t
from station.tui.screens.confirm import ConfirmScreen
from station.tui.screens.receipt import ReceiptScreen
from station.tui.widgets.materials_checklist import MaterialsChecklist
from tests.receipts.test_receipts_text import BACKGROUND, FOREGROUND, rasterise

from .conftest import AGENT_PIN, CITIZEN_ID, file_example_case, make_app, settle, sign_in

HINT = re.compile(r"(\^?[a-z0-9]+) (\S+)")


def strips(app) -> list[Strip]:  # noqa: ANN001 - StationApp
    """The screen as painted, one strip a row."""
    return list(app.screen._compositor.render_strips())


def rows(app) -> list[str]:  # noqa: ANN001
    return [strip.text for strip in strips(app)]


def qr_on_screen(painted: list[Strip], size: int) -> list[str]:
    """The half-block rows of a ``size``-module code, read off the screen where its top
    quiet zone (a run of ``size`` full blocks, dark terminal) starts."""
    for top, strip in enumerate(painted):
        at = strip.text.find("█" * size)
        if at >= 0:
            column = cell_len(strip.text[:at])
            return [row.crop(column, column + size).text for row in painted[top:top + (size + 1) // 2]]
    return []


async def _open_receipt(app, pilot, service: StationService) -> str:  # noqa: ANN001
    agent = service.sign_in("a01", AGENT_PIN)
    case_no = file_example_case(service, agent)
    await sign_in(pilot, "a01", AGENT_PIN)
    app.push_screen(ReceiptScreen(case_no, message=t("receipt_title")))
    await settle(pilot)
    return case_no


async def test_the_receipt_qr_code_scans_off_an_80x24_screen_without_scrolling(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        case_no = await _open_receipt(app, pilot, village)
        url = village.handed_over_receipt(case_no).tracking_url
        size = qr_matrix(url).size
        code = qr_on_screen(strips(app)[:-1], size)  # the last row is the key hints
        assert len(code) == (size + 1) // 2 and all(len(row) == size for row in code)
        found = zxingcpp.read_barcodes(rasterise(code, FOREGROUND, BACKGROUND), try_invert=False)
        assert [b.text for b in found] == [url]
        screen = "\n".join(rows(app))
        assert "受理编号" in screen and "办理事项" in screen  # the details beside it


async def test_p_still_prints_the_full_width_receipt(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        case_no = await _open_receipt(app, pilot, village)
        await pilot.press("p")
        await settle(pilot)
        [printed] = (village.home.root / "prints").glob("receipt-*.txt")
        assert printed.read_text(encoding="utf-8") == render_text(village.handed_over_receipt(case_no)) + "\n"
        said = "".join(line.strip() for line in rows(app)[:8])
        assert len(str(printed)) > 80 and str(printed) in said  # the whole path, to find the file by


async def _ask(app, pilot, size: tuple[int, int]) -> list[str]:  # noqa: ANN001
    app.push_screen(ConfirmScreen(t("discard_draft")))
    await settle(pilot)
    return [line.strip(" │╭╮╰╯─") for line in rows(app)]


async def test_the_confirm_dialog_breaks_only_between_phrases(village: StationService) -> None:
    for size in ((80, 24), (60, 20), (40, 20)):
        app = make_app(village)
        async with app.run_test(size=size) as pilot:
            await sign_in(pilot, "a01", AGENT_PIN)
            lines = await _ask(app, pilot, size)
            assert "确定放弃吗？" in lines, (size, lines)
            assert "这份收件还没有保存，" in "".join(lines)


async def test_key_hints_are_whole_at_60_columns(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(60, 20)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        footer = rows(app)[-1]
        descriptions = {t(b.description) for b in app.screen.BINDINGS if b.show} | {"退出", "换人", "锁屏"}
        shown = HINT.findall(footer)
        assert shown and all(description in descriptions for _, description in shown), footer
        assert footer.lstrip().startswith("⏎ 打开")  # the list's Enter, then the screen's own keys
        assert [key for key, _ in shown][:5] == ["n", "c", "s", "r", "i"]  # (a village has no decisions queue)


async def test_f9_and_f10_fit_beside_the_home_keys_at_80_columns(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        footer = rows(app)[-1]
        assert "⏎ 打开" in footer and "i 本站信息" in footer
        assert "f9 换人" in footer and "f10 锁屏" in footer


def _drawn_options(board) -> dict[object, int]:  # noqa: ANN001 - BoardList
    """Each option drawn so far, and which drawing of it the list holds."""
    cache = board._option_render_cache  # noqa: SLF001 - Textual's own cache of drawn options
    return {key: id(cache.get(key)) for key in cache.keys()}  # noqa: SIM118 - an LRUCache, not iterable


async def test_the_board_is_drawn_once_as_it_comes_up_and_again_at_a_new_width(village: StationService) -> None:
    from station.tui.widgets.board_list import BoardList

    file_example_case(village, village.sign_in("a01", AGENT_PIN))
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await settle(pilot)
        board = app.screen.query_one(BoardList)
        drawn = _drawn_options(board)
        assert drawn
        await pilot.resize_terminal(80, 20)  # as wide as before: the drawn lines still fit
        await settle(pilot)
        assert _drawn_options(board) == drawn
        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        assert not set(_drawn_options(board).values()) & set(drawn.values())
        assert all(cell_len(row) <= 60 for row in rows(app))


async def test_up_on_the_first_material_does_not_wrap_to_the_last(village: StationService) -> None:
    from .test_flows import _fill_citizen_and_item, _fill_form

    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await _fill_citizen_and_item(pilot, CITIZEN_ID, "王𠮷祥")
        await _fill_form(pilot)
        checklist = app.focused
        assert isinstance(checklist, MaterialsChecklist) and checklist.highlighted == 0
        await pilot.press("up", "r")
        await settle(pilot)
        first, last = checklist.materials[0].key, checklist.materials[-1].key
        assert first in checklist.keys_with("received") and last not in checklist.keys_with("received")
        await pilot.press(*["down"] * (checklist.option_count + 1))
        assert checklist.highlighted == checklist.option_count - 1


def test_phrase_lines_keeps_phrases_whole_and_breaks_a_too_long_one() -> None:
    from station.tui.phrases import phrase_lines

    assert phrase_lines("这份收件还没有保存，离开后已填写的内容会丢失。确定放弃吗？", 52).splitlines() == [
        "这份收件还没有保存，离开后已填写的内容会丢失。", "确定放弃吗？"]
    assert phrase_lines("第一行\n确定？", 52).splitlines() == ["第一行", "确定？"]
    long = phrase_lines("一二三四五六七八九十。好", 10).splitlines()
    assert long == ["一二三四五", "六七八九", "十。好"] and all(cell_len(line) <= 10 for line in long)
