"""China's official working-day calendar, kept as data.

Promised time limits (承诺时限) count working days, and working days follow the State
Council's schedule: statutory holidays plus adjusted working weekends (调休). That
schedule is published each November or December for the next year, so the calendar is
data, never code:

* built-in tables ``station/calendars/YYYY.toml``, generated once from the
  ``chinesecalendar`` package by ``python -m station.calendars.generate 2020 2026``
  (the runtime does not need that package);
* override files: a directory of ``YYYY.toml`` files in the same format, distributed by
  the city hall as soon as a new schedule is announced.  An override file replaces the
  built-in table of its year as a whole (tables are never merged).

File format (one file per year, named ``YYYY.toml``)::

    # optional; when present it must equal the year in the file name
    year = 2026
    # statutory days off, including the weekend days inside a holiday break
    holidays = [2026-01-01, 2026-01-02, 2026-01-03, ...]
    # adjusted working days (调休): weekend days that are worked; may be empty
    workdays = [2026-01-04, 2026-02-14, ..., 2026-10-10]

Dates are TOML local dates (``2026-10-01``) or ISO strings (``"2026-10-01"``); other
keys (``source``, notes) are ignored.  A day is a working day when it is listed in
``workdays``, or it is Monday to Friday and not listed in ``holidays``.

Loading refuses a table, with :class:`CalendarError` naming the file and every problem,
when a date is in the wrong year, a date is both a holiday and a workday, a workday is
not a Saturday or Sunday, an entry is not a date, or ``holidays`` is missing or empty.

Counting never extrapolates: a day in a year no table covers raises
:class:`CalendarUnknown`, and :meth:`WorkCalendar.deadline_for` turns that into a result
with no date and a note ("deadline unknown: no calendar for 2027").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from forms.parsed_cache import cached
from forms.records import FrozenRecord

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = [
    "BUILTIN_PACKAGE",
    "CalendarError",
    "CalendarUnknown",
    "DeadlineResult",
    "WarningLevel",
    "WorkCalendar",
    "YearTable",
    "deadline_for",
    "default_calendar",
    "load_table",
    "parse_table",
    "warning_level",
]

BUILTIN_PACKAGE = "station.calendars"
"""The package whose ``YYYY.toml`` files are the built-in tables."""

DUE_SOON_WORKDAYS = 2
"""A deadline this many working days away or fewer (today not counted) is due soon."""

WarningLevel = Literal["overdue", "due_soon", "ok", "unknown"]

_FILE_NAME = re.compile(r"^(\d{4})\.toml$")
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_ONE_DAY = dt.timedelta(days=1)


class CalendarError(ValueError):
    """A calendar table is malformed; says which file and every problem found."""

    def __init__(self, source: str, problems: Iterable[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__(f"calendar {source}: " + "; ".join(self.problems))


class CalendarUnknown(LookupError):
    """A date falls in a year that no calendar table covers."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"no calendar for {year}")

    @property
    def note(self) -> str:
        """English note for logs and ``deadline_note`` identifiers."""
        return f"deadline unknown: no calendar for {self.year}"

    @property
    def note_zh(self) -> str:
        """Chinese note for people."""
        return f"期限未知：尚无 {self.year} 年工作日历"


class YearTable(FrozenRecord):
    """One year's statutory holidays and adjusted workdays; validated on creation. ``source`` (the
    file it was read from) is not part of the value: two tables of the same days are equal."""

    _fields = ("year", "holidays", "workdays")

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str

    def __init__(self, year: int, holidays: frozenset[dt.date], workdays: frozenset[dt.date] = frozenset(),
                 source: str = "<memory>") -> None:
        self._assign(year=year, holidays=holidays, workdays=workdays, source=source)
        problems = _table_problems(self)
        if problems:
            raise CalendarError(self.source, problems)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


class DeadlineResult(NamedTuple):
    """A deadline, or ``date=None`` with notes saying why it is unknown."""

    date: dt.date | None
    note: str | None = None
    note_zh: str | None = None

    @property
    def known(self) -> bool:
        return self.date is not None

    @property
    def iso(self) -> str | None:
        return None if self.date is None else self.date.isoformat()


# -- validation -------------------------------------------------------------------


def _table_problems(table: YearTable) -> list[str]:
    entries = _entries(table)
    not_dates = [f"{name}: {value!r} is not a date" for name, value in entries
                 if not _is_plain_date(value)]
    if not_dates:
        return not_dates
    dated = [(name, value) for name, value in entries if isinstance(value, dt.date)]
    problems = [f"{name}: {day} is not in {table.year}" for name, day in dated
                if day.year != table.year]
    problems += [f"{day} is listed both as a holiday and as a workday"
                 for day in sorted(table.holidays & table.workdays)]
    problems += [_not_weekend(day) for day in sorted(table.workdays)
                 if day.weekday() < 5]
    if not table.holidays:
        problems.append("holidays is empty: every year has statutory holidays")
    return problems


def _entries(table: YearTable) -> Sequence[tuple[str, object]]:
    """Every listed day, checked for being a date after (a table may be made in code with anything in it)."""
    return ([("holidays", value) for value in sorted(table.holidays, key=str)]
            + [("workdays", value) for value in sorted(table.workdays, key=str)])


def _is_plain_date(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _not_weekend(day: dt.date) -> str:
    weekday = _WEEKDAY_NAMES[day.weekday()]
    return (f"workdays: {day} is a {weekday}, not a weekend day "
            "(list only Saturdays and Sundays that are worked, 调休)")


# -- parsing ----------------------------------------------------------------------


def parse_table(text: str, *, year: int, source: str) -> YearTable:
    """Parse one ``YYYY.toml`` text; raise :class:`CalendarError` on any problem."""
    import tomllib  # only to parse: a start that finds the tables parsed already never needs it

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarError(source, [f"not valid TOML: {exc}"]) from None
    problems: list[str] = []
    holidays = _date_list(raw, "holidays", problems, required=True)
    workdays = _date_list(raw, "workdays", problems, required=False)
    if "year" in raw and raw["year"] != year:
        problems.append(f"year = {raw['year']!r} but the file name says {year}")
    if problems:
        raise CalendarError(source, problems)
    return YearTable(year, frozenset(holidays), frozenset(workdays), source)


def load_table(path: Path) -> YearTable:
    """Read one calendar file named ``YYYY.toml``."""
    year = _year_of(path.name, str(path))
    return parse_table(path.read_text(encoding="utf-8"), year=year, source=str(path))


def _year_of(name: str, source: str) -> int:
    match = _FILE_NAME.match(name)
    if match is None:
        raise CalendarError(source, ["file name must be YYYY.toml, e.g. 2027.toml"])
    return int(match.group(1))


def _date_list(raw: Mapping[str, object], key: str, problems: list[str],
               *, required: bool) -> list[dt.date]:
    if key not in raw:
        if required:
            problems.append(f"missing key {key!r} (a list of dates like 2027-10-01)")
        return []
    values = raw[key]
    if not isinstance(values, list):
        problems.append(f"{key} must be a list of dates, not {type(values).__name__}")
        return []
    dates = [_as_table_date(v) for v in values]
    problems += [f"{key}[{i}] = {v!r} is not a date (write it like 2027-10-01)"
                 for i, (v, d) in enumerate(zip(values, dates, strict=False)) if d is None]
    return [d for d in dates if d is not None]


def _as_table_date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value if _is_plain_date(value) else None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


# -- loading ----------------------------------------------------------------------


class _Source(NamedTuple):
    """One calendar file as read: its name, how messages name it, its bytes."""

    name: str
    label: str
    data: bytes


def _builtin_folder() -> Path | Traversable:
    folder = Path(__file__).with_name("calendars")
    if folder.is_dir():
        return folder
    from importlib import resources  # a package that is no folder (a zip file)

    return resources.files(BUILTIN_PACKAGE)


def _builtin_sources() -> list[_Source]:
    entries = sorted((e for e in _builtin_folder().iterdir() if _FILE_NAME.match(e.name)), key=lambda e: e.name)
    return [_Source(entry.name, f"built-in {entry.name}", entry.read_bytes()) for entry in entries]


def _override_sources(override_dir: Path | None) -> list[_Source]:
    if override_dir is None or not override_dir.exists():
        return []
    if not override_dir.is_dir():
        raise CalendarError(str(override_dir), ["override path is not a directory"])
    return [_Source(path.name, str(path), path.read_bytes()) for path in sorted(override_dir.glob("*.toml"))]


def _parsed_builtin(sources: list[_Source]) -> dict[int, YearTable]:
    tables: dict[int, YearTable] = {}
    for source in sources:
        year = _year_of(source.name, source.label)
        tables[year] = parse_table(source.data.decode("utf-8"), year=year, source=source.label)
    return tables


def _parsed_overrides(sources: list[_Source]) -> dict[int, YearTable]:
    tables = [parse_table(s.data.decode("utf-8"), year=_year_of(s.name, s.label), source=s.label) for s in sources]
    return {table.year: table for table in tables}


@lru_cache(maxsize=1)
def _builtin_tables() -> dict[int, YearTable]:
    return _parsed_builtin(_builtin_sources())


def _override_tables(override_dir: Path) -> dict[int, YearTable]:
    return _parsed_overrides(_override_sources(override_dir))


def _cached_tables(override_dir: Path | None, cache_file: Path) -> dict[int, YearTable]:
    """The built-in and override tables, parsed only when a file (or this module) changed since the
    tables were kept in ``cache_file`` (:mod:`forms.parsed_cache`)."""
    builtin, overrides = _builtin_sources(), _override_sources(override_dir)
    parts = [Path(__file__).read_bytes(), *(part for tag, sources in ((b"built-in", builtin), (b"override", overrides))
                                            for s in sources for part in (tag, s.name.encode(), s.data))]
    return cached(cache_file, parts, lambda: _parsed_builtin(builtin) | _parsed_overrides(overrides), _are_tables)


def _are_tables(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(t, YearTable) and t.year == y for y, t in value.items())


# -- the calendar -----------------------------------------------------------------


class WorkCalendar:
    """Working days over the years its tables cover; never guesses outside them."""

    def __init__(self, tables: Mapping[int, YearTable]) -> None:
        problems = [f"table for {t.year} is filed under {y}"
                    for y, t in tables.items() if y != t.year]
        if problems:
            raise CalendarError("<tables>", problems)
        self._tables = dict(tables)

    @classmethod
    def from_tables(cls, tables: Mapping[int, YearTable]) -> WorkCalendar:
        return cls(tables)

    @classmethod
    def load(cls, override_dir: Path | None = None, cache_file: Path | None = None) -> WorkCalendar:
        """Built-in tables, each year replaced by the override file for it if any; ``cache_file``
        keeps them parsed between runs (read back only while every file is byte for byte the same)."""
        if cache_file is not None:
            return cls(_cached_tables(None if override_dir is None else Path(override_dir), cache_file))
        tables = dict(_builtin_tables())
        if override_dir is not None:
            tables.update(_override_tables(Path(override_dir)))
        return cls(tables)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted(self._tables))

    def table(self, year: int) -> YearTable:
        try:
            return self._tables[year]
        except KeyError:
            raise CalendarUnknown(year) from None

    def covers(self, year: int) -> bool:
        return year in self._tables

    def is_workday(self, day: dt.date) -> bool:
        """True on a working day; :class:`CalendarUnknown` outside the tables."""
        day = _require_date(day)
        return self.table(day.year).is_workday(day)

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (not counted); ``start`` when n == 0."""
        if n < 0:
            raise ValueError(f"n must be 0 or more working days, got {n}")
        day = _require_date(start)
        remaining = n
        while remaining:
            day += _ONE_DAY
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        """Working days after ``a`` up to and including ``b``; negative if b < a."""
        a, b = _require_date(a), _require_date(b)
        if b < a:
            return -self.workdays_between(b, a)
        span = (b - a).days
        return sum(self.is_workday(a + dt.timedelta(days=i)) for i in range(1, span + 1))

    def deadline_for(self, start: dt.date, n: int) -> DeadlineResult:
        """Like :meth:`add_workdays`, but an uncovered year gives a noted unknown."""
        try:
            return DeadlineResult(self.add_workdays(start, n))
        except CalendarUnknown as exc:
            return DeadlineResult(None, exc.note, exc.note_zh)

    def warning_level(self, deadline: dt.date | str | None,
                      today: dt.date) -> WarningLevel:
        """``overdue`` after the deadline, ``due_soon`` at 2 working days or less."""
        if deadline is None:
            return "unknown"
        deadline = _require_date(_from_iso(deadline))
        today = _require_date(today)
        if today > deadline:
            return "overdue"
        if (deadline - today).days <= DUE_SOON_WORKDAYS:
            return "due_soon"
        try:
            left = self.workdays_between(today, deadline)
        except CalendarUnknown:
            return "unknown"
        return "due_soon" if left <= DUE_SOON_WORKDAYS else "ok"


def _require_date(value: dt.date) -> dt.date:
    if not _is_plain_date(value):
        raise TypeError(f"expected a datetime.date, got {value!r} "
                        "(use .date() on a datetime)")
    return value


def _from_iso(value: dt.date | str) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


# -- module-level helpers -----------------------------------------------------------


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The built-in tables only (no overrides)."""
    return WorkCalendar.load()


def deadline_for(start: dt.date, n: int,
                 calendar: WorkCalendar | None = None) -> DeadlineResult:
    """:meth:`WorkCalendar.deadline_for` on ``calendar`` or the built-in calendar."""
    return (calendar or default_calendar()).deadline_for(start, n)


def warning_level(deadline: dt.date | str | None, today: dt.date,
                  calendar: WorkCalendar | None = None) -> WarningLevel:
    """:meth:`WorkCalendar.warning_level` on ``calendar`` or the built-in calendar."""
    return (calendar or default_calendar()).warning_level(deadline, today)
