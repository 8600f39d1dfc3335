"""好差评 follow-ups: every rating of 2 or less needs its own call-back, after it."""
from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from station.ledger import CaseState
from station.supervision import follow_ups
from station.workdays import WorkCalendar

CALENDAR = WorkCalendar.load()


def case(ratings: list[tuple[int, str]], callbacks: list[str]) -> CaseState:
    return CaseState(
        case_no="4201151022032026110200019", origin="420115102203", handler="420115102000",
        item={"name": "高龄津贴"}, received_on="2026-11-02",
        ratings=[{"level": level, "at": f"{at}+08:00", "comment": ""} for level, at in ratings],
        callbacks=[{"note": "已回访", "at": f"{at}+08:00"} for at in callbacks],
    )


def test_each_bad_rating_opens_one_follow_up_with_a_fix_deadline() -> None:
    state = case([(5, "2026-11-03T10:00:00"), (3, "2026-11-03T11:00:00"), (2, "2026-11-04T09:00:00"),
                  (1, "2026-11-06T09:00:00")], [])
    assert [(f.level, f.rated_on, f.fix_by) for f in follow_ups(state, CALENDAR)] == [
        (2, "2026-11-04", "2026-11-11"), (1, "2026-11-06", "2026-11-13")]
    assert follow_ups(state, CALENDAR, fix_workdays=15)[0].fix_by == "2026-11-25"


def test_a_call_back_closes_only_a_rating_given_before_it() -> None:
    state = case([(2, "2026-11-04T09:00:00"), (1, "2026-11-10T09:00:00")],
                 ["2026-11-03T09:00:00", "2026-11-05T09:00:00"])
    first, second = follow_ups(state, CALENDAR)
    assert (first.called_back_on, first.state(date(2026, 11, 20))) == ("2026-11-05", "closed")
    assert (second.called_back_on, second.state(date(2026, 11, 20))) == (None, "overdue")
    assert second.state(date(2026, 11, 12)) == "open"


def test_a_late_call_back_is_closed_late() -> None:
    [late] = follow_ups(case([(2, "2026-11-04T09:00:00")], ["2026-11-20T09:00:00"]), CALENDAR)
    assert late.state(date(2026, 11, 30)) == "closed_late"


moments = st.integers(min_value=0, max_value=20).map(lambda d: f"2026-11-{d + 2:02d}T09:00:00")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), moments), max_size=6), st.lists(moments, max_size=6))
def test_one_call_back_answers_at_most_one_bad_rating(ratings: list[tuple[int, str]], callbacks: list[str]) -> None:
    result = follow_ups(case(ratings, callbacks), CALENDAR)
    closed = [f for f in result if f.closed]
    assert len(result) == sum(1 for level, _ in ratings if level <= 2)
    assert len(closed) <= min(len(result), len(callbacks))
    assert all(f.called_back_on >= f.rated_on for f in closed)  # type: ignore[operator]
    if callbacks and ratings and min(callbacks) >= max(at for _, at in ratings):
        assert len(closed) == min(len(result), len(callbacks))
