"""Deadlines of a case, derived from its state, the working-day calendar and today.

Never stored as truth: a new year's calendar arriving turns an unknown deadline into a
date. :func:`legal_clock` is the one place the law's clock is worked out; the station's
views, ``station queue``, ``station watch``, the staff digest and the citizen's page all
call it, so none of them can disagree.

The rules it follows (Administrative Licensing Law; limits are working days, Art. 82):

* **Acceptance within 5 working days** (Art. 32): from the day a case reaches its
  handler, the handler accepts, refuses or asks for supplements within 5 working days
  (the arrival day not counted). If not, the case counts as accepted from the day the
  materials arrived (视为受理), and both limits count from then.
* **Two clocks**: the promised limit (承诺时限, ``promise_days``) and the legal limit
  (法定时限, ``legal_days``; 0 means none), both counted from acceptance.
* **Pauses**: days waiting for supplements the handler asked for after acceptance, and
  statutory pauses (听证, 检测, 公示 ..., Art. 45), are not counted: each pause adds the
  working days after its first day up to and including its last. While a pause is open
  the deadline is not known yet.
* **Extension** (延期, Art. 42): moves the promised deadline by its N working days. The
  legal limit moves only as far as the extended promise passes it (the rules never let
  that exceed the item's ``max_extension_days``), so a lawful extension is never flagged
  as breaking the law, and the promised deadline never lies after the legal one.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

from forms.jsonvalue import JsonObject
from station.ledger import CaseState
from station.workdays import CalendarUnknown, DeadlineResult, WarningLevel, WorkCalendar

__all__ = ["ACCEPT_WITHIN_WORKDAYS", "ACCEPT_WARN_FROM_WORKDAY", "AcceptanceWindow", "ClockPause", "Extension",
           "LegalClock", "legal_clock", "case_deadline", "supplement_due", "pause_label"]

ACCEPT_WITHIN_WORKDAYS = 5
"""Art. 32: working days a handler has to accept, refuse or ask for supplements."""
ACCEPT_WARN_FROM_WORKDAY = 3
"""From this working day after arrival, an unanswered case is listed as at risk."""

NOT_STARTED = DeadlineResult(None, "clock starts at acceptance", "受理后开始计时")
PAUSED = DeadlineResult(None, "clock paused while materials are awaited", "等待补正，暂停计时")
NO_LEGAL_LIMIT = DeadlineResult(None, "no statutory limit for this item", "该事项无法定时限")


class AcceptanceWindow(NamedTuple):
    """The 5-working-day rule for one arrival at a handler."""

    reached_on: date
    answer_by: date | None
    """The last day to answer; None when the calendar does not cover it."""
    answered_on: date | None
    workdays_waited: int | None
    """Working days since arrival, up to the answer or today; None outside the calendar."""
    deemed: bool
    """Not answered by ``answer_by``: the case counts as accepted from ``reached_on``."""
    at_risk: bool
    """Unanswered, on or after the 3rd working day, not yet past the 5th."""

    def as_dict(self) -> JsonObject:
        return {"reached_on": self.reached_on.isoformat(), "answer_by": _iso(self.answer_by),
                "answered_on": _iso(self.answered_on), "workdays_waited": self.workdays_waited,
                "deemed": self.deemed, "at_risk": self.at_risk}


class ClockPause(NamedTuple):
    """Days the clock stood (or stands) still: waiting for supplements, or a statutory step."""

    kind: str
    """``supplement`` (补正) or ``statutory`` (Art. 45)."""
    reason: str
    start: date
    end: date | None
    """The day it ended; None while it lasts."""
    expected_end: date | None
    workdays: int | None
    """Working days not counted (after ``start``, up to ``end``); None while it lasts."""

    @property
    def label(self) -> str:
        return pause_label(self.reason) if self.kind == "statutory" else "等待补正"

    def as_dict(self) -> JsonObject:
        return {"kind": self.kind, "reason": self.reason, "label": self.label, "from": self.start.isoformat(),
                "to": _iso(self.end), "until": _iso(self.expected_end), "workdays": self.workdays}


class Extension(NamedTuple):
    """The one extension (延期, Art. 42) of a case."""

    days: int
    reason: str
    on: str
    by: str

    @classmethod
    def of(cls, raw: Mapping[str, object]) -> Extension:
        days = raw.get("days")
        return cls(days if isinstance(days, int) else 0, str(raw.get("reason", "")), str(raw.get("on", "")),
                   str(raw.get("by", "")))

    def as_dict(self) -> JsonObject:
        return {"days": self.days, "reason": self.reason, "on": self.on, "by": self.by}


class LegalClock(NamedTuple):
    promised: DeadlineResult
    legal: DeadlineResult
    started_on: date | None
    """Acceptance, or the arrival day when the case counts as accepted; None before either."""
    deemed_accepted: bool
    acceptance: AcceptanceWindow | None
    extension: Extension | None
    pauses: tuple[ClockPause, ...]
    promised_warning: WarningLevel | None
    legal_warning: WarningLevel | None
    """``overdue`` / ``due_soon`` / ``ok`` / ``unknown`` while the case is open; None when closed or not started."""

    @property
    def paused_now(self) -> ClockPause | None:
        return next((p for p in self.pauses if p.end is None), None)


def pause_label(reason: str) -> str:
    """What the citizen's page says while a statutory pause lasts: 公示中, 检测中."""
    return f"{reason}中"


def legal_clock(state: CaseState, calendar: WorkCalendar, today: date) -> LegalClock:
    acceptance = _acceptance_window(state, calendar, today)
    deemed = acceptance is not None and acceptance.deemed
    started = _day(state.accepted_on) if state.accepted_on else None
    if deemed and acceptance is not None:
        started = acceptance.reached_on
    pauses = _pauses(state, calendar)
    promised, legal = _deadlines(state, calendar, started, pauses)
    is_open = state.status in ("received", "submitted", "needs_supplement", "accepted")
    return LegalClock(
        promised=promised, legal=legal, started_on=started, deemed_accepted=deemed, acceptance=acceptance,
        extension=Extension.of(state.extension) if state.extension else None, pauses=pauses,
        promised_warning=_warning(calendar, promised, today, is_open, started),
        legal_warning=_warning(calendar, legal, today, is_open, started),
    )


def case_deadline(state: CaseState, calendar: WorkCalendar, today: date | None = None) -> DeadlineResult:
    """The promised deadline. Without ``today`` only recorded answers count (a case nobody
    answered is not yet deemed accepted): for figures of closed cases."""
    return legal_clock(state, calendar, today or date.min).promised


def supplement_due(state: CaseState, calendar: WorkCalendar) -> DeadlineResult:
    """The earliest due date of the deferred (容缺) materials; None when none is owed."""
    dues = [calendar.deadline_for(_day(d["since"]), int(d.get("defer_days") or 0)) for d in state.deferred.values()]
    if not dues:
        return DeadlineResult(None)
    unknown = [d for d in dues if not d.known]
    return unknown[0] if unknown else min(dues, key=lambda d: d.date or date.max)


# -- the parts ------------------------------------------------------------------------


def _acceptance_window(state: CaseState, calendar: WorkCalendar, today: date) -> AcceptanceWindow | None:
    if state.reached_handler_on is None:
        return None
    reached = _day(state.reached_handler_on)
    answered = _day(state.answered_on) if state.answered_on else None
    try:
        answer_by: date | None = calendar.add_workdays(reached, ACCEPT_WITHIN_WORKDAYS)
    except CalendarUnknown:
        answer_by = None
    still_waiting = answered is None and state.status == "submitted"
    looked_at = answered or (today if still_waiting else None)
    waited = _workdays_or_none(calendar, reached, looked_at) if looked_at and looked_at >= reached else None
    late = answer_by is not None and looked_at is not None and looked_at > answer_by
    at_risk = still_waiting and not late and waited is not None and waited >= ACCEPT_WARN_FROM_WORKDAY
    deemed = late and state.status != "refused" and (still_waiting or answered is not None)
    return AcceptanceWindow(reached_on=reached, answer_by=answer_by, answered_on=answered, workdays_waited=waited,
                            deemed=deemed, at_risk=at_risk)


def _pauses(state: CaseState, calendar: WorkCalendar) -> tuple[ClockPause, ...]:
    waiting = [ClockPause("supplement", "补正", _day(start), _day(end) if end else None, None,
                          _workdays_or_none(calendar, _day(start), _day(end)) if end else None)
               for start, end in state.pauses]
    statutory = [ClockPause("statutory", str(p["reason"]), _day(p["since"]), _day(p["ended"]) if p["ended"] else None,
                            _day(p["until"]) if p.get("until") else None,
                            _workdays_or_none(calendar, _day(p["since"]), _day(p["ended"])) if p["ended"] else None)
                 for p in state.suspensions]
    return tuple(sorted(waiting + statutory, key=lambda p: p.start))


def _deadlines(state: CaseState, calendar: WorkCalendar, started: date | None,
               pauses: tuple[ClockPause, ...]) -> tuple[DeadlineResult, DeadlineResult]:
    promise, legal = int(state.item.get("promise_days") or 0), int(state.item.get("legal_days") or 0)
    legal_result = NO_LEGAL_LIMIT if not legal else None
    if started is None:
        return NOT_STARTED, legal_result or NOT_STARTED
    open_pause = next((p for p in pauses if p.end is None), None)
    if open_pause is not None:
        note = _open_pause_result(open_pause)
        return note, legal_result or note
    if any(p.workdays is None for p in pauses):  # an ended pause outside the calendar
        unknown = _unknown_span(calendar, pauses)
        return unknown, legal_result or unknown
    paused = sum(p.workdays or 0 for p in pauses)
    extension = int(state.extension["days"]) if state.extension else 0
    promised = calendar.deadline_for(started, promise + extension + paused)
    if legal_result is not None:
        return promised, legal_result
    legal_extension = max(promise + extension - legal, 0)
    return promised, calendar.deadline_for(started, legal + legal_extension + paused)


def _open_pause_result(pause: ClockPause) -> DeadlineResult:
    if pause.kind == "supplement":
        return PAUSED
    until = f"，预计 {pause.expected_end.isoformat()} 结束" if pause.expected_end else ""
    return DeadlineResult(None, f"clock paused: {pause.reason} since {pause.start.isoformat()}",
                          f"{pause_label(pause.reason)}（{pause.start.isoformat()} 起{until}），暂停计时")


def _unknown_span(calendar: WorkCalendar, pauses: tuple[ClockPause, ...]) -> DeadlineResult:
    for pause in pauses:
        try:
            calendar.workdays_between(pause.start, pause.end or pause.start)
        except CalendarUnknown as exc:
            return DeadlineResult(None, exc.note, exc.note_zh)
    return DeadlineResult(None, "deadline unknown", "期限未知")


def _warning(calendar: WorkCalendar, deadline: DeadlineResult, today: date, is_open: bool,
             started: date | None) -> WarningLevel | None:
    if not is_open or started is None or deadline is NO_LEGAL_LIMIT:
        return None
    return calendar.warning_level(deadline.date, today) if deadline.date else "unknown"


def _workdays_or_none(calendar: WorkCalendar, start: date, end: date) -> int | None:
    try:
        return calendar.workdays_between(start, end)
    except CalendarUnknown:
        return None


def _day(text: str | None) -> date:
    return date.fromisoformat(str(text))


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
