"""The app's reads: the Today board and the case list, on a reader connection of its own.

Every query is bounded: one indexed query per status with a LIMIT, merged in Python,
and counts capped at ``COUNT_CAP``, so the home screen costs the same with a hundred
cases or a hundred thousand. The store's single writer connection is left to writes.
"""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Literal, NamedTuple

from station.ledger import OPEN_STATUSES, CaseState, InvalidCaseNo, display_case_no, normalise_case_no
from station.listed_clock import ListedClock, listed_clock
from station.workdays import WorkCalendar
from station.store import connect_store, dbapi2, starting_with

from .i18n import status_label, t

__all__ = ["CaseLine", "TodayBoard", "BoardPart", "board_parts", "CaseFilter", "CaseQueries", "COUNT_CAP"]

COUNT_CAP = 1000
_OPEN = tuple(sorted(OPEN_STATUSES))
_DECIDED_NOT_DELIVERED = ("approved", "denied", "refused")
_COLUMNS = ("case_no, status, item_code, item_name, applicant_name, applicant_id, origin, handler, "
            "deadline, supplement_due, conflicts")
_LINE_FIELDS = "case_no, status, item_name, applicant_name, deadline, supplement_due, conflicts"
"""The columns of a :class:`CaseLine`, in its order."""


class CaseLine(NamedTuple):
    case_no: str
    status: str
    item_name: str
    applicant_name: str
    deadline: str | None
    supplement_due: str | None
    conflicts: int
    clock: ListedClock | None = None
    """Both clocks as of today (视为受理 included); None when the list was read without a calendar."""

    @property
    def shown_deadline(self) -> str | None:
        """The promised deadline as of today: a case counted as accepted has one before any event says so."""
        return self.clock.deadline if self.clock else self.deadline

    @property
    def display_no(self) -> str:
        return display_case_no(self.case_no)

    @property
    def list_no(self) -> str:
        """Date and daily serial, as the case list shows them: 20261122-0003."""
        return f"{self.case_no[12:20]}-{self.case_no[20:24]}"

    @property
    def status_label(self) -> str:
        return t("deemed_accepted") if self.clock and self.clock.deemed_accepted and self.status == "submitted" \
            else status_label(self.status)

    @classmethod
    def from_row(cls, row: dbapi2.Row) -> CaseLine:
        return cls(row["case_no"], row["status"], row["item_name"], row["applicant_name"],
                   row["deadline"], row["supplement_due"], int(row["conflicts"]))


class BoardSection(NamedTuple):
    lines: list[CaseLine]
    total: int
    """How many there are, capped at ``COUNT_CAP``."""


class TodayBoard(NamedTuple):
    day: str
    waiting: BoardSection
    deadlines: BoardSection
    deferred: BoardSection
    decisions: BoardSection


class CaseFilter(NamedTuple):
    status: str | None = None
    item_code: str | None = None
    due: str | None = None
    """``overdue`` or ``due_soon``; None for any."""
    text: str = ""
    limit: int = 200

    def where(self, today: date, soon: date) -> tuple[str, list[object]]:
        """The ``WHERE`` text with ``?`` marks, and its parameters; ``soon``: the last near day."""
        where: list[str] = ["1"]
        params: list[object] = []
        for column, value in (("status", self.status), ("item_code", self.item_code)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if self.due:
            bounds, days = ("deadline < ?", [today]) if self.due == "overdue" else \
                ("deadline >= ? AND deadline <= ?", [today, soon])
            # a case nobody answered in 5 working days has no stored deadline yet: today's clock decides;
            # only one received 5 or more days ago can count as accepted, so no other takes a place in the page
            where += [f"status IN ({', '.join('?' * len(_OPEN))})",
                      f"((deadline IS NOT NULL AND {bounds}) "
                      "OR (status = 'submitted' AND deadline IS NULL AND received_on < ?))"]
            params += [*_OPEN, *(day.isoformat() for day in days), (today - timedelta(days=4)).isoformat()]
        text_where, text_params = _text_condition(self.text)
        return " AND ".join(where + text_where), params + text_params


class CaseQueries:
    def __init__(self, database: Path, station: str, calendar: Callable[[], WorkCalendar] | None = None,
                 key: Callable[[], bytes | None] = lambda: None) -> None:
        """``calendar`` gives the working-day calendar in force (without it lines carry no clock); ``key``
        the store's data key once it is unlocked (the connection is made at the first read)."""
        self.database = database
        self.station = station
        self.calendar = calendar
        self._key = key
        self._lock = threading.Lock()
        self._conn: dbapi2.Connection | None = None

    def _rows(self, sql: str, params: Sequence[object]) -> list[dbapi2.Row]:
        with self._lock:
            if self._conn is None:
                self._conn = connect_store(self.database, self._key(), read_only=True)
                self._conn.row_factory = dbapi2.Row
            return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- the Today board -------------------------------------------------------

    def board(self, today: date, soon: date, limit: int = 6) -> TodayBoard:
        """``soon`` is the last day that counts as a near deadline (2 working days on).

        One statement answering in one row: a worker thread waits for the GIL after every
        SQLite step while the UI thread draws, so each extra row or statement costs
        milliseconds at start-up.
        """
        parts = _board_parts(self.station, soon)
        lines_sql = " UNION ALL ".join(part.lines_sql(name, limit) for name, part in parts.items())
        totals_sql = ", ".join(part.total_sql() for part in parts.values())
        params = [v for part in parts.values() for v in part.each_status()] + \
                 [v for part in parts.values() for v in part.each_status()]
        row = self._rows(f"SELECT (SELECT json_group_array(json_array(section, {_LINE_FIELDS})) FROM ({lines_sql})), "
                         f"{totals_sql}", params)[0]
        found: dict[str, list[CaseLine]] = {name: [] for name in parts}
        for section, *fields in json.loads(row[0]):
            found[section].append(CaseLine(*fields))
        sections = {name: _section(found[name], row[index], parts[name].order, limit)
                    for index, name in enumerate(parts, start=1)}
        clocks = self._clocks([line for section in sections.values() for line in section.lines], today)
        return TodayBoard(day=today.isoformat(), **{name: BoardSection(_timed(section.lines, clocks), section.total)
                                                    for name, section in sections.items()})

    def _clocks(self, lines: list[CaseLine], today: date) -> dict[str, ListedClock]:
        """Both clocks of the cases shown: one primary-key read of their states, at most a page of them."""
        wanted = sorted({line.case_no for line in lines if line.status in OPEN_STATUSES})
        if self.calendar is None or not wanted:
            return {}
        calendar = self.calendar()
        rows = self._rows(f"SELECT state FROM cases WHERE case_no IN ({', '.join('?' * len(wanted))})", wanted)
        states = [CaseState(**json.loads(row["state"])) for row in rows]
        return {state.case_no: listed_clock(state, calendar, today) for state in states}

    # -- the case list ---------------------------------------------------------

    def cases(self, wanted: CaseFilter, today: date, soon: date) -> list[CaseLine]:
        where, params = wanted.where(today, soon)
        # newest first, whichever village sent it and whenever it arrived here
        sql = f"SELECT {_COLUMNS} FROM cases WHERE {where} ORDER BY received_on DESC, case_no DESC LIMIT ?"
        lines = [CaseLine.from_row(r) for r in self._rows(sql, [*params, wanted.limit])]
        timed = _timed(lines, self._clocks(lines, today))
        return [line for line in timed if _due(line, wanted.due, today, soon)] if wanted.due else timed

    def open_cases_of(self, applicant_id: str, item_code: str, limit: int = 5) -> list[CaseLine]:
        """The citizen's cases for this item still being handled: filing another would be a duplicate."""
        sql = (f"SELECT {_COLUMNS} FROM cases WHERE applicant_id = ? AND item_code = ? "
               f"AND status IN ({', '.join('?' * len(_OPEN))}) ORDER BY case_no LIMIT ?")
        return [CaseLine.from_row(r) for r in self._rows(sql, [applicant_id, item_code, *_OPEN, limit])]


class BoardPart(NamedTuple):
    """A section of the Today board: which cases, in which order. Read as SQL with one indexed
    query per status, each with a LIMIT (the SQL is made here, from these values alone)."""

    statuses: tuple[str, ...]
    order: Literal["deadline", "supplement_due"]
    handled_here: bool = False
    """This station decides the case."""
    involved_here: bool = False
    """This station decides the case or took it in."""
    taken_in_here: bool = False
    """This station took the case in."""
    deadline_by: date | None = None
    """Cases with a stored promised deadline on or before this day."""
    supplement_by: date | None = None
    """Cases with a deferred material (容缺) due on or before this day."""

    def where(self, station: str) -> tuple[str, list[str]]:
        """The conditions after ``status = ?``, with ``?`` marks, and their parameters."""
        parts: list[tuple[str, list[str]]] = [
            (f"{column} IS NOT NULL AND {column} <= ?", [day.isoformat()])
            for column, day in (("deadline", self.deadline_by), ("supplement_due", self.supplement_by))
            if day is not None]
        parts += [(condition, [station] * condition.count("?")) for wanted, condition in (
            (self.handled_here, "handler = ?"), (self.involved_here, "(handler = ? OR origin = ?)"),
            (self.taken_in_here, "origin = ?")) if wanted]
        return " AND ".join(sql for sql, _ in parts) or "1", [value for _, values in parts for value in values]


class _BoardSql(NamedTuple):
    """One :class:`BoardPart` as SQL for one station."""

    part: BoardPart
    station: str

    def each_status(self) -> list[str]:
        _, params = self.part.where(self.station)
        return [value for status in self.part.statuses for value in (status, *params)]

    def lines_sql(self, name: str, limit: int) -> str:
        where, _ = self.part.where(self.station)
        one = (f"SELECT * FROM (SELECT '{name}' AS section, {_LINE_FIELDS} FROM cases "
               f"WHERE status = ? AND {where} ORDER BY {self.part.order} LIMIT {int(limit)})")
        return " UNION ALL ".join([one] * len(self.part.statuses))

    def total_sql(self) -> str:
        where, _ = self.part.where(self.station)
        one = f"(SELECT count(*) FROM (SELECT 1 FROM cases WHERE status = ? AND {where} LIMIT {COUNT_CAP}))"
        return "(" + " + ".join([one] * len(self.part.statuses)) + ")"

    @property
    def order(self) -> str:
        return self.part.order


def board_parts(soon: date) -> dict[str, BoardPart]:
    """The Today board's sections: waiting here, deadlines near, deferred materials due, decisions to hand over."""
    return {
        "waiting": BoardPart(_OPEN, "deadline", handled_here=True),
        "deadlines": BoardPart(_OPEN, "deadline", involved_here=True, deadline_by=soon),
        "deferred": BoardPart(_OPEN, "supplement_due", taken_in_here=True, supplement_by=soon + timedelta(days=3)),
        "decisions": BoardPart(_DECIDED_NOT_DELIVERED, "deadline", taken_in_here=True),
    }


def _board_parts(station: str, soon: date) -> dict[str, _BoardSql]:
    return {name: _BoardSql(part, station) for name, part in board_parts(soon).items()}


def _due(line: CaseLine, due: str, today: date, soon: date) -> bool:
    """Whether the line's promised deadline as of today is past (``overdue``) or within ``soon``."""
    deadline = line.shown_deadline
    if deadline is None:
        return False
    return deadline < today.isoformat() if due == "overdue" else today.isoformat() <= deadline <= soon.isoformat()


def _timed(lines: list[CaseLine], clocks: dict[str, ListedClock]) -> list[CaseLine]:
    return [line._replace(clock=clocks[line.case_no]) if line.case_no in clocks else line for line in lines]


def _section(lines: list[CaseLine], total: int, order: str, limit: int) -> BoardSection:
    lines.sort(key=lambda line: (getattr(line, order) or "9999", line.case_no))
    return BoardSection(lines[:limit], min(int(total), COUNT_CAP))


_SEPARATORS = re.compile(r"[\s\-_/.]")
_CASE_NO_TAILS = {13: 13, 12: 13, 8: 17, 4: 21}
"""Where a case number's tail starts (1-based), by the tail's length: date, serial and check
character (20261122-0003-9); date and serial as the case list shows it (20261122-0003); month,
day and serial as the Today board shows it (11220003); the bare daily serial (0003)."""


def _text_condition(text: str) -> tuple[list[str], list[object]]:
    """A case number whole or in any of its shown forms, its daily serial, an ID number's start or last
    four, or a name or its pinyin."""
    text = text.strip()
    if not text:
        return [], []
    try:
        return ["case_no = ?"], [normalise_case_no(text)]
    except InvalidCaseNo:
        pass
    compact = _SEPARATORS.sub("", text).upper()
    if compact[:1].isdigit():
        return _number_condition(compact)
    return _name_condition(text)


def _number_condition(compact: str) -> tuple[list[str], list[object]]:
    where = ["(case_no >= ? AND case_no < ?)", "(applicant_id >= ? AND applicant_id < ?)"]
    params: list[object] = [*starting_with(compact), *starting_with(compact)]
    start = _CASE_NO_TAILS.get(len(compact))
    if start is not None and compact[:12].isdigit():
        where.append(f"substr(case_no, {start}, {len(compact)}) = ?")
        params.append(compact)
    if len(compact) < 4 and compact.isdigit():  # the daily serial as said aloud: 3 for 0003
        where.append(f"substr(case_no, {_CASE_NO_TAILS[4]}, 4) = ?")
        params.append(compact.zfill(4))
    if len(compact) == 4:  # the ID number's last four, all a receipt shows of it (4201**********0034)
        where.append("substr(applicant_id, 15, 4) = ?")
        params.append(compact)
    return [f"({' OR '.join(where)})"], params


def _name_condition(text: str) -> tuple[list[str], list[object]]:
    """Part of the applicant's or the item's name, or the start of the applicant's pinyin (full or initials).

    The pinyin keys are those of the citizens registered at this station.
    """
    key = text.lower().replace(" ", "")
    condition = ("(applicant_name LIKE ? OR item_name LIKE ? OR applicant_id IN "
                 "(SELECT id_number FROM citizen_keys WHERE key >= ? AND key < ?))")
    return [condition], [f"%{text}%", f"%{text}%", *starting_with(key)]
