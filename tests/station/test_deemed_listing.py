"""A case nobody answered counts as accepted as days pass, with no new event: the case list works
its deadline out when asked instead of showing the empty one stored before it was deemed."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from station.cli.text import cases_text
from station.service import Operator
from station.tui.queries import CaseFilter, CaseQueries
from tests.support.demo import TOWNSHIP, VILLAGE

from .helpers import FakeClock, allowance_request, make_service


def test_a_deemed_accepted_case_past_its_promise_is_listed_overdue(tmp_path: Path) -> None:
    clock = FakeClock(datetime.fromisoformat("2026-09-25T10:00:00+08:00"))
    village, township = make_service(tmp_path, VILLAGE, clock), make_service(tmp_path, TOWNSHIP, clock)
    try:
        village.add_agent("A01", "王小丽", "agent", "1234")
        agent = Operator("A01", "王小丽", "agent")
        case_no = village.intake(agent, allowance_request())["case_no"]
        village.act(agent, case_no, "forwarded")
        township.apply_events(village.store.case_events(case_no))
        assert township.list_cases(overdue=True) == []
        clock.now = datetime.fromisoformat("2026-10-16T10:00:00+08:00")  # promise (10 wd from 09-25): 10-15
        [row] = township.list_cases(overdue=True)
        assert (row["case_no"], row["status"], row["deadline"], row["overdue"]) == (case_no, "submitted", "2026-10-15", True)
        assert township.list_cases(status="accepted", overdue=True) == []
        [listed] = township.list_cases()
        assert listed["deadline"] == "2026-10-15"
        # both clocks, from the day the materials arrived: 20 legal working days across National Day
        assert (listed["legal_deadline"], listed["deemed_accepted"], listed["legal_overdue"]) == ("2026-10-29", True, False)
        line = cases_text([listed])
        assert "法定 2026-10-29" in line and "视为受理" in line and line.endswith("逾期")
        clock.now = datetime.fromisoformat("2026-10-30T10:00:00+08:00")
        [listed] = township.list_cases()
        assert listed["legal_overdue"] and cases_text([listed]).endswith("超过法定时限")
    finally:
        village.close()
        township.close()


def test_the_apps_overdue_filter_lists_a_deemed_accepted_case_past_its_promise(tmp_path: Path) -> None:
    clock = FakeClock(datetime.fromisoformat("2026-09-25T10:00:00+08:00"))
    village, township = make_service(tmp_path, VILLAGE, clock), make_service(tmp_path, TOWNSHIP, clock)
    queries = CaseQueries(township.home.database, TOWNSHIP, lambda: township.calendar, key=township.data_key)
    try:
        village.add_agent("A01", "王小丽", "agent", "1234")
        agent = Operator("A01", "王小丽", "agent")
        case_no = village.intake(agent, allowance_request())["case_no"]
        village.act(agent, case_no, "forwarded")
        township.apply_events(village.store.case_events(case_no))
        today = date(2026, 10, 16)  # promised (10 working days from 09-25): 10-15; no event since it arrived
        overdue = queries.cases(CaseFilter(due="overdue"), today, date(2026, 10, 20))
        assert [(line.case_no, line.shown_deadline) for line in overdue] == [(case_no, "2026-10-15")]
        assert queries.cases(CaseFilter(due="due_soon"), today, date(2026, 10, 20)) == []
        soon = queries.cases(CaseFilter(due="due_soon"), date(2026, 10, 14), date(2026, 10, 16))
        assert [line.case_no for line in soon] == [case_no]
        assert queries.cases(CaseFilter(due="overdue"), date(2026, 9, 28), date(2026, 9, 30)) == []
        clock.now = datetime.fromisoformat("2026-10-16T11:00:00+08:00")  # a newer case, too young to count as accepted
        fresh = village.intake(agent, allowance_request())["case_no"]
        village.act(agent, fresh, "forwarded")
        township.apply_events(village.store.case_events(fresh))
        page = queries.cases(CaseFilter(due="overdue", limit=1), today, date(2026, 10, 20))
        assert [line.case_no for line in page] == [case_no], "the newer case takes no place in the page"
    finally:
        queries.close()
        village.close()
        township.close()
