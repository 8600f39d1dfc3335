"""The whole legal clock: the 5-working-day acceptance rule, extensions, statutory pauses, two limits.

Real working-day calendar (2026 with the Mid-autumn/National Day break and its adjusted
workdays 2026-09-20 and 2026-10-10), real fold: no mocks.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station.deadlines import Extension, legal_clock
from station.ledger import Event, EventFormatError, fold
from station.ledger.contract import parse_event
from station.topology import Topology
from station.workdays import default_calendar
from tests.ledger.factory import event
from tests.support.demo import DEMO_TOPOLOGY_FILE, TOWNSHIP, VILLAGE

TOPOLOGY = Topology.load(DEMO_TOPOLOGY_FILE)
CALENDAR = default_calendar()
HOMESTEAD = {"code": "420115XK0001", "version": 1, "name": "农村宅基地和建房申请", "level": "township",
             "promise_days": 10, "instant": False, "legal_days": 20, "max_extension_days": 10,
             "pauses": ["听证", "专家评审", "公示"], "public_notice_days": 0}


def received(day: str) -> Event:
    data = {"item": HOMESTEAD, "applicant": {"id_number": "11010519491231002X", "name": "曾𠮷", "phone": None},
            "fields": {}, "materials": [{"key": "form", "name": "申请表", "required": True, "deferrable": False,
                                         "status": "received"}], "token_hash": "0" * 64}
    return event("received", VILLAGE, data=data, day=day)


def at_township(kind: str, day: str, role: str = "clerk", **data: object) -> Event:
    return event(kind, TOWNSHIP, role=role, data=dict(data), day=day, actor="T01")


def state_of(*events: Event):
    state = fold(events, TOPOLOGY)
    assert state is not None
    return state


FRIDAY = "2026-09-25"  # a Friday, and the Mid-autumn holiday: the township gets it before the break


def reached_on_friday() -> list[Event]:
    return [received(FRIDAY), event("forwarded", VILLAGE, day=FRIDAY)]


def test_unanswered_case_is_deemed_accepted_after_five_working_days_across_national_day() -> None:
    state = state_of(*reached_on_friday())
    assert state.status == "submitted" and state.reached_handler_on == FRIDAY
    # 9-28, 9-29, 9-30, (10-1 .. 10-7 off), 10-8, 10-9: the fifth working day is Friday 10-09
    on_time = legal_clock(state, CALENDAR, date(2026, 10, 9))
    assert on_time.acceptance.answer_by == date(2026, 10, 9)
    assert not on_time.deemed_accepted and on_time.acceptance.at_risk and on_time.promised.date is None
    # Saturday 10-10 is an adjusted workday: the morning after the fifth day, it counts as accepted
    late = legal_clock(state, CALENDAR, date(2026, 10, 10))
    assert late.deemed_accepted and late.started_on == date(2026, 9, 25)
    # 10 working days from 9-25: 9-28 29 30, 10-8 9 10(Sat) 12 13 14 15
    assert late.promised.iso == "2026-10-15"
    # 20 working days: ... 10-16 19 20 21 22 23 26 27 28 29
    assert late.legal.iso == "2026-10-29"


def test_at_risk_from_the_third_working_day_not_before() -> None:
    state = state_of(*reached_on_friday())
    assert not legal_clock(state, CALENDAR, date(2026, 9, 29)).acceptance.at_risk  # 2 working days
    assert legal_clock(state, CALENDAR, date(2026, 9, 30)).acceptance.at_risk  # 3
    assert legal_clock(state, CALENDAR, date(2026, 10, 5)).acceptance.workdays_waited == 3  # holiday: still 3


def test_a_late_acceptance_still_counts_from_arrival() -> None:
    state = state_of(*reached_on_friday(), at_township("accepted", "2026-10-12"))
    clock = legal_clock(state, CALENDAR, date(2026, 10, 12))
    assert clock.deemed_accepted and clock.started_on == date(2026, 9, 25)
    assert clock.promised.iso == "2026-10-15"


def test_an_answer_in_time_starts_the_clock_at_acceptance() -> None:
    state = state_of(*reached_on_friday(), at_township("accepted", "2026-10-09"))
    clock = legal_clock(state, CALENDAR, date(2026, 10, 20))
    assert not clock.deemed_accepted and clock.started_on == date(2026, 10, 9)
    # 10-10(Sat) 12 13 14 15 16 19 20 21 22
    assert clock.promised.iso == "2026-10-22"


def test_a_one_time_notice_in_time_is_an_answer_and_the_supplement_restarts_the_window() -> None:
    materials = [{"key": "form", "name": "申请表"}]
    events = [*reached_on_friday(), at_township("supplement_requested", "2026-09-30", materials=materials),
              event("supplemented", VILLAGE, data={"materials": ["form"]}, day="2026-10-12")]
    state = state_of(*events)
    assert state.status == "submitted" and state.reached_handler_on == "2026-10-12"
    assert not legal_clock(state, CALENDAR, date(2026, 10, 19)).deemed_accepted  # 13 14 15 16 19: day 5
    assert legal_clock(state, CALENDAR, date(2026, 10, 20)).deemed_accepted


def test_refused_late_is_refused_not_deemed_accepted() -> None:
    state = state_of(*reached_on_friday(), at_township("refused", "2026-10-12", reason="不符合条件"))
    assert not legal_clock(state, CALENDAR, date(2026, 10, 12)).deemed_accepted


ACCEPTED_ON = "2026-10-09"


def accepted() -> list[Event]:
    return [*reached_on_friday(), at_township("accepted", ACCEPTED_ON)]


def test_extension_moves_the_promise_by_its_working_days_and_the_legal_limit_only_past_it() -> None:
    base = legal_clock(state_of(*accepted()), CALENDAR, date(2026, 10, 12))
    assert (base.promised.iso, base.legal.iso) == ("2026-10-22", "2026-11-05")
    extended = state_of(*accepted(), at_township("extended", "2026-10-20", role="approver", days=15,
                                                 reason="需现场踏勘"))
    clock = legal_clock(extended, CALENDAR, date(2026, 10, 20))
    # 10 + 15 = 25 working days from 10-09; the legal 20 stretches by the 5 it is passed by
    assert clock.promised == clock.legal
    assert CALENDAR.workdays_between(date(2026, 10, 9), clock.promised.date) == 25
    assert clock.extension == Extension(days=15, reason="需现场踏勘", on="2026-10-20", by="T01")


def test_extension_rules_once_within_the_law_by_the_approver() -> None:
    too_far = state_of(*accepted(), at_township("extended", "2026-10-20", role="approver", days=21, reason="x"))
    assert too_far.extension is None and "最多可延期 20 个工作日" in too_far.conflicts[0]["reason"]
    by_clerk = state_of(*accepted(), at_township("extended", "2026-10-20", role="clerk", days=5, reason="x"))
    assert by_clerk.extension is None and by_clerk.conflicts
    twice = state_of(*accepted(), at_township("extended", "2026-10-20", role="approver", days=5, reason="a"),
                     at_township("extended", "2026-10-21", role="approver", days=5, reason="b"))
    assert twice.extension["days"] == 5 and "只能延期一次" in twice.conflicts[0]["reason"]
    before = state_of(*reached_on_friday(), at_township("extended", "2026-09-28", role="approver", days=5, reason="a"))
    assert before.extension is None and before.conflicts


def test_public_notice_pause_moves_both_deadlines_by_its_working_days() -> None:
    before = accepted()  # events stamped in the order they happen
    pause = [at_township("suspended", "2026-10-12", reason="公示", until="2026-10-19"),
             at_township("resumed", "2026-10-19")]
    while_open = state_of(*before, pause[0])
    open_clock = legal_clock(while_open, CALENDAR, date(2026, 10, 14))
    assert open_clock.promised.date is None and "公示中" in open_clock.promised.note_zh
    assert open_clock.paused_now.label == "公示中"
    clock = legal_clock(state_of(*before, *pause), CALENDAR, date(2026, 10, 19))
    # 10-13 .. 10-19: five working days not counted; 10-22 + 5 → 10-29, 11-05 + 5 → 11-12
    assert (clock.promised.iso, clock.legal.iso) == ("2026-10-29", "2026-11-12")
    assert clock.pauses[0].as_dict() == {"kind": "statutory", "reason": "公示", "label": "公示中",
                                              "from": "2026-10-12", "to": "2026-10-19", "until": "2026-10-19",
                                              "workdays": 5}


def test_pause_rules() -> None:
    not_this_item = state_of(*accepted(), at_township("suspended", "2026-10-12", reason="检疫"))
    assert "该事项没有“检疫”环节" in not_this_item.conflicts[0]["reason"]
    not_statutory = state_of(*accepted(), at_township("suspended", "2026-10-12", reason="出差"))
    assert not_statutory.conflicts and not not_statutory.suspensions
    nothing_to_resume = state_of(*accepted(), at_township("resumed", "2026-10-12"))
    assert "没有暂停计时" in nothing_to_resume.conflicts[0]["reason"]
    twice = state_of(*accepted(), at_township("suspended", "2026-10-12", reason="公示"),
                     at_township("suspended", "2026-10-13", reason="听证"))
    assert len(twice.suspensions) == 1 and "请先恢复计时" in twice.conflicts[0]["reason"]


def test_overdue_on_either_clock_is_flagged() -> None:
    clock = legal_clock(state_of(*accepted()), CALENDAR, date(2026, 10, 23))
    assert (clock.promised_warning, clock.legal_warning) == ("overdue", "ok")
    later = legal_clock(state_of(*accepted()), CALENDAR, date(2026, 11, 6))
    assert (later.promised_warning, later.legal_warning) == ("overdue", "overdue")


@settings(max_examples=60, deadline=None)
@given(extension=st.integers(1, 20), pause_start=st.integers(0, 20), pause_length=st.integers(0, 25))
def test_extension_and_pause_move_the_promise_by_exactly_their_working_days(
        extension: int, pause_start: int, pause_length: int) -> None:
    start = date(2026, 10, 9) + timedelta(days=pause_start)
    end = start + timedelta(days=pause_length)
    events = [*accepted(), at_township("suspended", start.isoformat(), reason="专家评审"),
              at_township("resumed", end.isoformat()),
              at_township("extended", end.isoformat(), role="approver", days=extension, reason="复杂")]
    clock = legal_clock(state_of(*events), CALENDAR, end)
    deadline = clock.promised.date
    assert deadline is not None and CALENDAR.is_workday(deadline)
    counted = CALENDAR.workdays_between(date(2026, 10, 9), deadline) - CALENDAR.workdays_between(start, end)
    assert counted == 10 + extension
    assert clock.legal.date >= deadline


# -- the contract of the clock's kinds (checked on push, bundle import, pull and local writes) --

def _raw(kind: str, data: dict) -> dict:
    return at_township(kind, "2026-10-12", role="approver", **data).to_dict()


@pytest.mark.parametrize(("kind", "data"), [
    ("extended", {"days": 5, "reason": "需现场踏勘"}),
    ("suspended", {"reason": "公示", "until": "2026-10-19"}),
    ("suspended", {"reason": "检测"}),
    ("resumed", {}),
])
def test_the_contract_takes_the_clock_kinds(kind: str, data: dict) -> None:
    assert parse_event(_raw(kind, data)).data == data


@pytest.mark.parametrize(("kind", "data", "where"), [
    ("extended", {"days": 0, "reason": "x"}, "days"),
    ("extended", {"days": 366, "reason": "x"}, "days"),
    ("extended", {"days": "5", "reason": "x"}, "days"),
    ("extended", {"days": 5}, "reason"),
    ("extended", {"days": 5, "reason": "x" * 501}, "reason"),
    ("extended", {"days": 5, "reason": "x", "extra": 1}, "extra"),
    ("suspended", {"reason": "出差"}, "reason"),
    ("suspended", {"reason": "公示", "until": "2026-13-40"}, "until"),
    ("suspended", {"reason": "公示", "until": "next week"}, "until"),
])
def test_the_contract_refuses_malformed_clock_data(kind: str, data: dict, where: str) -> None:
    with pytest.raises(EventFormatError, match=where):
        parse_event(_raw(kind, data))


def test_the_contract_takes_the_item_clock_facts_and_refuses_unknown_pauses() -> None:
    event = received(FRIDAY).to_dict()
    assert parse_event(event).data["item"]["pauses"] == ["听证", "专家评审", "公示"]
    event["data"]["item"] = HOMESTEAD | {"pauses": ["开会"]}
    with pytest.raises(EventFormatError, match="pauses"):
        parse_event(event)
