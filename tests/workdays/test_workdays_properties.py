from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from station.workdays import WorkCalendar

CALENDAR = WorkCalendar.load()
# Starts and counts that stay inside the built-in years (two steps of 60 wd ≈ 6 months).
starts = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 6, 30))
counts = st.integers(min_value=0, max_value=60)


@given(starts, st.integers(min_value=1, max_value=60))
def test_result_is_a_working_day_after_start(start: dt.date, n: int) -> None:
    due = CALENDAR.add_workdays(start, n)
    assert due > start
    assert CALENDAR.is_workday(due)


@given(starts, counts)
def test_between_inverts_add(start: dt.date, n: int) -> None:
    due = CALENDAR.add_workdays(start, n)
    assert CALENDAR.workdays_between(start, due) == n
    assert CALENDAR.workdays_between(due, start) == -n


@given(starts, counts, counts)
def test_monotonic_in_n(start: dt.date, n: int, m: int) -> None:
    low, high = sorted((n, m))
    assert CALENDAR.add_workdays(start, low) <= CALENDAR.add_workdays(start, high)
    if low < high:
        assert CALENDAR.add_workdays(start, low) < CALENDAR.add_workdays(start, high)


@given(starts, counts, counts)
def test_adding_in_two_steps(start: dt.date, n: int, m: int) -> None:
    in_two = CALENDAR.add_workdays(CALENDAR.add_workdays(start, n), m)
    assert in_two == CALENDAR.add_workdays(start, n + m)


@given(starts, counts)
def test_deadline_never_earlier_than_calendar_days(start: dt.date, n: int) -> None:
    assert (CALENDAR.add_workdays(start, n) - start).days >= n


@given(starts, starts)
def test_between_is_additive(a: dt.date, b: dt.date) -> None:
    middle = min(a, b) + (abs(b - a) // 2)
    assert (CALENDAR.workdays_between(a, middle) + CALENDAR.workdays_between(middle, b)
            == CALENDAR.workdays_between(a, b))


@given(st.dates(min_value=dt.date(2026, 7, 1), max_value=dt.date(2026, 12, 31)),
       st.integers(min_value=0, max_value=400))
def test_beyond_the_tables_is_unknown_never_a_date(start: dt.date, n: int) -> None:
    result = CALENDAR.deadline_for(start, n)
    if result.date is None:
        assert result.note == "deadline unknown: no calendar for 2027"
    else:
        assert result.date.year == 2026 and result.note is None
