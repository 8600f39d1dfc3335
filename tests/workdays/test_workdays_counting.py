from __future__ import annotations

import datetime as dt

import pytest

from station.workdays import (
    CalendarUnknown,
    DeadlineResult,
    WorkCalendar,
    deadline_for,
    warning_level,
)

d = dt.date.fromisoformat


def test_reference_example_counts_the_adjusted_saturday(builtin: WorkCalendar) -> None:
    assert builtin.add_workdays(d("2026-09-28"), 5) == d("2026-10-10")


def test_national_day_2026(builtin: WorkCalendar) -> None:
    assert builtin.is_workday(d("2026-10-10"))
    assert d("2026-10-10").weekday() == 5
    assert not any(builtin.is_workday(d(f"2026-10-0{i}")) for i in range(1, 8))
    assert builtin.is_workday(d("2026-10-08"))


def test_start_day_is_not_counted(builtin: WorkCalendar) -> None:
    monday = d("2026-11-23")
    assert builtin.add_workdays(monday, 1) == d("2026-11-24")
    assert builtin.add_workdays(d("2026-11-21"), 1) == monday  # accepted on a Saturday


def test_zero_days_is_the_same_day_even_on_a_holiday(builtin: WorkCalendar) -> None:
    assert builtin.add_workdays(d("2026-10-01"), 0) == d("2026-10-01")


def test_negative_days_are_refused(builtin: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="-1"):
        builtin.add_workdays(d("2026-10-01"), -1)


def test_datetime_is_refused_not_compared_wrongly(builtin: WorkCalendar) -> None:
    with pytest.raises(TypeError, match=r"\.date\(\)"):
        builtin.is_workday(dt.datetime(2026, 10, 1, 9, 0))


def test_workdays_between(builtin: WorkCalendar) -> None:
    assert builtin.workdays_between(d("2026-09-28"), d("2026-10-10")) == 5
    assert builtin.workdays_between(d("2026-10-10"), d("2026-09-28")) == -5
    assert builtin.workdays_between(d("2026-10-01"), d("2026-10-07")) == 0
    assert builtin.workdays_between(d("2026-10-08"), d("2026-10-08")) == 0


def test_uncovered_year_raises(builtin: WorkCalendar) -> None:
    assert builtin.covers(2026) and not builtin.covers(2027) and not builtin.covers(2019)
    with pytest.raises(CalendarUnknown, match="no calendar for 2027") as caught:
        builtin.add_workdays(d("2026-12-24"), 10)
    assert caught.value.year == 2027
    with pytest.raises(CalendarUnknown):
        builtin.is_workday(d("2019-12-31"))
    with pytest.raises(CalendarUnknown):
        builtin.workdays_between(d("2026-12-30"), d("2027-01-04"))


def test_deadline_unknown_is_loud(builtin: WorkCalendar) -> None:
    result = builtin.deadline_for(d("2026-12-24"), 10)
    assert result == DeadlineResult(
        None, "deadline unknown: no calendar for 2027", "期限未知：尚无 2027 年工作日历")
    assert not result.known and result.iso is None


def test_deadline_within_the_year_is_not_affected(builtin: WorkCalendar) -> None:
    result = builtin.deadline_for(d("2026-12-24"), 5)
    assert result.iso == "2026-12-31" and result.note is None and result.known


def test_module_level_helpers_use_the_builtins() -> None:
    assert deadline_for(d("2026-09-28"), 5).date == d("2026-10-10")
    assert deadline_for(d("2026-12-24"), 10).date is None
    assert warning_level(None, d("2026-10-10")) == "unknown"


def test_override_adds_the_next_year(override_dir) -> None:
    calendar = WorkCalendar.load(override_dir)
    assert calendar.covers(2027)
    # Dec 25, 28-31 = 5; 2027: Jan 1 off, Jan 4-8 = 10
    assert calendar.deadline_for(d("2026-12-24"), 10).date == d("2027-01-08")
    assert calendar.is_workday(d("2027-02-20"))  # string date in the file
    assert not calendar.is_workday(d("2027-10-04"))


def test_override_replaces_a_builtin_year_as_a_whole(tmp_path) -> None:
    (tmp_path / "2026.toml").write_text(
        "holidays = [2026-10-09]\nworkdays = []\n", encoding="utf-8")
    calendar = WorkCalendar.load(tmp_path)
    assert not calendar.is_workday(d("2026-10-09"))
    assert calendar.is_workday(d("2026-10-01"))  # no longer a holiday: no merging
    assert not calendar.is_workday(d("2026-10-10"))  # nor an adjusted workday
    assert WorkCalendar.load().is_workday(d("2026-10-10"))  # builtins untouched


def test_missing_override_dir_means_no_overrides(tmp_path) -> None:
    calendar = WorkCalendar.load(tmp_path / "not-yet")
    assert calendar.years == tuple(range(2020, 2027))


def test_from_tables(override_dir) -> None:
    from station.workdays import load_table

    table = load_table(override_dir / "2027.toml")
    calendar = WorkCalendar.from_tables({2027: table})
    assert calendar.years == (2027,)
    assert calendar.table(2027) is table
    with pytest.raises(CalendarUnknown):
        calendar.is_workday(d("2026-06-01"))


@pytest.mark.parametrize(
    ("deadline", "today", "level"),
    [
        ("2026-10-10", "2026-10-11", "overdue"),
        ("2026-10-10", "2026-10-10", "due_soon"),
        ("2026-10-10", "2026-10-08", "due_soon"),  # Oct 9, Oct 10 left
        ("2026-10-10", "2026-09-30", "ok"),  # holiday week: calendar days mislead
        ("2026-10-12", "2026-10-08", "ok"),  # 9, 10, 12 = 3 working days
        ("2026-10-12", "2026-10-09", "due_soon"),
        (None, "2026-10-09", "unknown"),
    ],
)
def test_warning_level(builtin: WorkCalendar, deadline, today, level) -> None:
    assert builtin.warning_level(deadline, d(today)) == level
    if deadline is not None:
        assert builtin.warning_level(d(deadline), d(today)) == level


def test_warning_level_without_the_calendar_is_unknown(override_dir) -> None:
    calendar = WorkCalendar.load(override_dir)
    far = calendar.add_workdays(d("2026-12-24"), 10)
    assert WorkCalendar.load().warning_level(far, d("2026-12-24")) == "unknown"
    assert WorkCalendar.load().warning_level(far, d("2027-01-07")) == "due_soon"
    assert WorkCalendar.load().warning_level(far, d("2027-01-09")) == "overdue"
