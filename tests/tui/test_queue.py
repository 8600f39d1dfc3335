"""The township's work queue in the app, with Pilot at 80×24: cases from two villages, most
urgent first, accepted one after another without leaving the list, then an extension."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, OptionList, Static

from station.home import CHINA_TZ
from station.ledger import display_case_no
from station.service import Operator, StationService
from station.tui.screens.case import CaseScreen
from station.tui.screens.clock_dialog import ClockDialog
from station.tui.screens.decide_menu import DecideMenu
from station.tui.screens.queue import QueueScreen
from station.tui.widgets.case_table import CaseTable
from tests.station.helpers import FakeClock
from tests.support.demo import TOWNSHIP, VILLAGE, VILLAGE_2

from .conftest import APPROVER_PIN, file_example_case, make_app, make_service, settle, sign_in, type_text

TODAY = datetime(2026, 11, 23, 9, 30, tzinfo=CHINA_TZ)  # a Monday


class Towns:
    """Two villages filing to one township, each with its own clock."""

    def __init__(self, root: Path) -> None:
        self.clock = FakeClock(TODAY)
        self.township = make_service(root / "township", TOWNSHIP, clock=self.clock)
        self.township.add_agent("p01", "欧阳审批", "approver", APPROVER_PIN)
        self.approver = Operator("p01", "欧阳审批", "approver")
        self.villages = {code: make_service(root / code, code, clock=self.clock) for code in (VILLAGE, VILLAGE_2)}
        for service in self.villages.values():
            service.add_agent("a01", "李小𠮷", "agent", "2468")

    def forwarded_on(self, village: str, day: str, name: str) -> str:
        self.clock.now = datetime.fromisoformat(f"{day}T10:00:00+08:00")
        service = self.villages[village]
        operator = Operator("a01", "李小𠮷", "agent")
        case_no = file_example_case(service, operator, name=name)
        service.act(operator, case_no, "forwarded")
        self.township.apply_events(service.store.case_events(case_no))
        return case_no

    def accept_on(self, case_no: str, day: str) -> None:
        self.clock.now = datetime.fromisoformat(f"{day}T11:00:00+08:00")
        self.township.act(self.approver, case_no, "accepted")

    def close(self) -> None:
        for service in (self.township, *self.villages.values()):
            service.close()


@pytest.fixture
def towns(tmp_path: Path):  # noqa: ANN201
    world = Towns(tmp_path)
    cases = {
        "late": world.forwarded_on(VILLAGE, "2026-11-13", "赵一"),        # answer by 11-20: counts as accepted
        "overdue": world.forwarded_on(VILLAGE_2, "2026-11-04", "钱二"),   # accepted 11-05, due 11-19
        "at_risk": world.forwarded_on(VILLAGE, "2026-11-18", "孙三"),     # 3rd working day today
        "fresh": world.forwarded_on(VILLAGE_2, "2026-11-20", "李四"),
        "fresh2": world.forwarded_on(VILLAGE, "2026-11-20", "周五"),
    }
    world.accept_on(cases["overdue"], "2026-11-05")
    world.clock.now = TODAY
    yield world, cases
    world.close()


def test_queue_order_and_village_counts(towns) -> None:  # noqa: ANN001
    world, cases = towns
    queue = world.township.work_queue()
    assert [e.case_no for e in queue.entries][:3] == [cases["late"], cases["overdue"], cases["at_risk"]]
    assert [e.urgency for e in queue.entries] == ["acceptance_overdue", "overdue", "due_soon", "normal", "normal"]
    assert {v.name: (v.total, v.by_urgency) for v in queue.villages} == {
        "光星村便民服务站": (3, {"acceptance_overdue": 1, "due_soon": 1, "normal": 1}),
        "和平村便民服务站": (2, {"overdue": 1, "normal": 1})}


async def test_the_clerk_works_through_the_queue_with_the_keyboard(towns) -> None:  # noqa: ANN001
    world, cases = towns
    app = make_app(world.township)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "p01", APPROVER_PIN)
        await pilot.press("w")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 5
        assert "光星村 3（急 1）" in str(screen.query_one("#queue-villages", Static).render())
        order = [e.case_no for e in screen.entries]

        assert order[:3] == [cases["late"], cases["overdue"], cases["at_risk"]]
        await pilot.press("a")  # the case past the 5-day rule: accepted, on to the next one to accept
        await settle(pilot)
        assert world.township.case(cases["late"]).status == "accepted"
        assert screen.entries[table.cursor_row].case_no == cases["at_risk"]  # the accepted overdue one is skipped
        await pilot.press("a")  # and the next ones, without leaving the list
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert [world.township.case(cases[k]).status for k in ("at_risk", "fresh", "fresh2")] == ["accepted"] * 3

        # the overdue case: the approver extends it, within the law, from the queue
        table.move_cursor(row=[e.case_no for e in screen.entries].index(cases["overdue"]))
        await pilot.press("d")
        await settle(pilot)
        menu = app.screen
        assert isinstance(menu, DecideMenu)
        kinds = [kind for kind, _ in menu.choices]
        assert {"approved", "denied", "extended"} <= set(kinds)
        assert "suspended" not in kinds  # 临时救助 has no statutory pause
        for _ in range(kinds.index("extended")):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClockDialog)
        await type_text(pilot, "99")
        await pilot.press("enter")
        await type_text(pilot, "需要补充调查")
        await pilot.press("enter")  # too many days: every problem shown, nothing recorded
        await settle(pilot)
        assert "最多可延长 5 个工作日" in str(app.screen.query_one("#clock-problem", Static).render())
        app.screen.query_one("#clock-days").value = ""
        app.screen.query_one("#clock-days").focus()
        await type_text(pilot, "5")
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        state = world.township.case(cases["overdue"])
        assert state.extension is not None and state.extension["days"] == 5

        # Enter opens the case itself; Escape comes back to the queue
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_empty_queue_says_so(tmp_path: Path) -> None:
    service: StationService = make_service(tmp_path / "t", TOWNSHIP)
    service.add_agent("p01", "欧阳审批", "approver", APPROVER_PIN)
    app = make_app(service)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "p01", APPROVER_PIN)
            await pilot.press("w")
            await settle(pilot)
            assert "没有等待本站决定的案件" in str(app.screen.query_one("#queue-title", Static).render())
    finally:
        service.close()


async def test_the_case_screen_offers_the_legal_clock_too(towns) -> None:  # noqa: ANN001
    """Opened from the Today board or a search, not only from the queue: an extension, once."""
    world, cases = towns
    app = make_app(world.township)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "p01", APPROVER_PIN)
        app.open_case(cases["overdue"])
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        listing = screen.query_one("#case-actions", OptionList)
        kinds = [listing.get_option_at_index(i).id for i in range(listing.option_count)]
        assert {"approved", "extended"} <= set(kinds) and "resumed" not in kinds
        await pilot.press("a", *["down"] * kinds.index("extended"), "enter")
        await settle(pilot)
        assert isinstance(app.screen, ClockDialog)
        await type_text(pilot, "3")
        await pilot.press("enter")
        await type_text(pilot, "需要补充调查")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        state = world.township.case(cases["overdue"])
        assert state.extension is not None and (state.extension["days"], state.extension["reason"]) == (3, "需要补充调查")
        kinds = [listing.get_option_at_index(i).id for i in range(listing.option_count)]
        assert "extended" not in kinds, "an extension is allowed once per case"


async def test_today_and_the_case_list_say_deemed_accepted_and_show_both_clocks(towns) -> None:  # noqa: ANN001
    """The case nobody answered in 5 working days counts as accepted from 11-13 (承诺 10 wd → 11-27),
    on the Today board and in the case list, though no event says so."""
    world, cases = towns
    app = make_app(world.township)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "p01", APPROVER_PIN)
        await settle(pilot)
        board = app.screen.query_one("BoardList", OptionList)
        lines = [str(board.get_option_at_index(i).prompt) for i in range(board.option_count)]
        late = next(line for line in lines if display_case_no(cases["late"]) in line)
        assert "视为受理" in late and "期限 11-27" in late
        await pilot.press("c")
        await settle(pilot)
        table = app.screen.query_one(CaseTable)
        row = table.get_row(cases["late"])
        assert str(row[3]) == "视为受理" and str(row[4]) == "2026-11-27"
        order = [str(key.value) for key in table.rows]
        assert order == sorted(order, key=lambda no: (no[12:20], no), reverse=True), "newest first, all villages"
        table.move_cursor(row=order.index(cases["late"]))
        await settle(pilot)
        count = str(app.screen.query_one("#case-count", Static).render())
        assert "承诺时限 2026-11-27 · 法定时限 2026-12-04" in count and "视为受理" in count
