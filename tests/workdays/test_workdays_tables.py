from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from station.workdays import CalendarError, WorkCalendar, YearTable, load_table, parse_table

d = dt.date.fromisoformat
REPO = Path(__file__).resolve().parents[2]


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("holidays = [2026-10-01]\nworkdays = []", "2026-10-01 is not in 2027"),
        ("holidays = [2027-10-02]\nworkdays = [2027-10-02]",
         "2027-10-02 is listed both as a holiday and as a workday"),
        ("holidays = [2027-10-01]\nworkdays = [2027-10-08]",
         "2027-10-08 is a Friday, not a weekend day"),
        ("holidays = [2027-10-01, 'Oct 2']", "holidays[1] = 'Oct 2' is not a date"),
        ("holidays = [2027-10-01, 20271002]", "holidays[1] = 20271002 is not a date"),
        ("holidays = [2027-10-01T08:00:00]", "is not a date"),
        ("holidays = '2027-10-01'", "holidays must be a list of dates, not str"),
        ("workdays = [2027-10-09]", "missing key 'holidays'"),
        ("holidays = []", "holidays is empty"),
        ("year = 2026\nholidays = [2027-10-01]", "year = 2026 but the file name says 2027"),
        ("holidays = [2027-10-01", "not valid TOML"),
    ],
)
def test_bad_override_names_the_file_and_the_problem(tmp_path, body, problem) -> None:
    path = write(tmp_path, "2027.toml", body)
    with pytest.raises(CalendarError) as caught:
        WorkCalendar.load(tmp_path)
    assert str(path) in str(caught.value)
    assert problem in str(caught.value)


def test_every_problem_is_reported_at_once(tmp_path) -> None:
    write(tmp_path, "2027.toml", "holidays = [2026-12-31, 2027-10-09]\n"
                                 "workdays = [2027-10-09, 2027-10-11]\n")
    with pytest.raises(CalendarError) as caught:
        load_table(tmp_path / "2027.toml")
    assert len(caught.value.problems) == 3


def test_override_file_must_be_named_by_year(tmp_path) -> None:
    write(tmp_path, "next-year.toml", "holidays = [2027-01-01]\n")
    with pytest.raises(CalendarError, match=r"next-year\.toml.*YYYY\.toml"):
        WorkCalendar.load(tmp_path)


def test_override_path_that_is_a_file(tmp_path) -> None:
    path = write(tmp_path, "2027.toml", "holidays = [2027-01-01]\n")
    with pytest.raises(CalendarError, match="not a directory"):
        WorkCalendar.load(path)


def test_tables_built_in_code_are_validated_too() -> None:
    with pytest.raises(CalendarError, match="2026-10-09 is a Friday"):
        YearTable(2026, frozenset({d("2026-10-01")}), frozenset({d("2026-10-09")}))
    with pytest.raises(CalendarError, match="is not a date"):
        YearTable(2026, frozenset({"2026-10-01"}))  # type: ignore[arg-type]
    table = YearTable(2026, frozenset({d("2026-10-01")}))
    with pytest.raises(CalendarError, match="filed under 2027"):
        WorkCalendar.from_tables({2027: table})


def test_parse_table_accepts_iso_strings() -> None:
    table = parse_table('holidays = ["2027-01-01"]\nworkdays = ["2027-02-20"]',
                        year=2027, source="test")
    assert table.holidays == {d("2027-01-01")} and table.workdays == {d("2027-02-20")}


def test_builtins_cover_2020_to_2026(builtin: WorkCalendar) -> None:
    assert builtin.years == tuple(range(2020, 2027))


def test_builtins_agree_with_chinesecalendar_every_day(builtin: WorkCalendar) -> None:
    chinese_calendar = pytest.importorskip("chinese_calendar")
    day = d("2020-01-01")
    while day.year <= 2026:
        assert builtin.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_generator_reproduces_the_shipped_files(tmp_path) -> None:
    pytest.importorskip("chinese_calendar")
    from station.calendars.generate import main

    assert main(["2020", "2026", "--out", str(tmp_path)]) == 0
    shipped = REPO / "station" / "calendars"
    for year in range(2020, 2027):
        name = f"{year}.toml"
        assert (tmp_path / name).read_text("utf-8") == (shipped / name).read_text("utf-8")


def test_generator_refuses_an_unknown_year(tmp_path) -> None:
    pytest.importorskip("chinese_calendar")
    from station.calendars.generate import main

    with pytest.raises(SystemExit, match="no data for 2027"):
        main(["2027", "2027", "--out", str(tmp_path)])
    assert not list(tmp_path.iterdir())


def test_runtime_does_not_need_chinesecalendar() -> None:
    code = ("import sys, datetime as dt\n"
            "from station.workdays import WorkCalendar\n"
            "assert WorkCalendar.load().add_workdays(dt.date(2026, 9, 28), 5)"
            " == dt.date(2026, 10, 10)\n"
            "bad = [m for m in sys.modules if m.startswith(('chinese_calendar', 'textual'))]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
