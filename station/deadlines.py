"""Deadlines of a case, derived from its state and the working-day calendar.

Never stored as truth: a new year's calendar arriving turns an unknown deadline into a
date. The promised limit counts working days after acceptance; days spent waiting for
materials the handler asked for after acceptance do not count (Licensing Law Art. 45).
"""
from __future__ import annotations

from datetime import date

from station.ledger import CaseState
from station.workdays import CalendarUnknown, DeadlineResult, WorkCalendar

__all__ = ["case_deadline", "supplement_due"]

NOT_STARTED = DeadlineResult(None, "clock starts at acceptance", "受理后开始计时")
PAUSED = DeadlineResult(None, "clock paused while materials are awaited", "等待补正，暂停计时")


def case_deadline(state: CaseState, calendar: WorkCalendar) -> DeadlineResult:
    if state.accepted_on is None:
        return NOT_STARTED
    if state.pauses and state.pauses[-1][1] is None:
        return PAUSED
    try:
        paused = sum(calendar.workdays_between(_day(start), _day(end)) for start, end in state.pauses)
    except CalendarUnknown as exc:
        return DeadlineResult(None, exc.note, exc.note_zh)
    promise = int(state.item.get("promise_days") or 0)
    return calendar.deadline_for(_day(state.accepted_on), promise + paused)


def supplement_due(state: CaseState, calendar: WorkCalendar) -> DeadlineResult:
    """The earliest due date of the deferred (容缺) materials; None when none is owed."""
    dues = [calendar.deadline_for(_day(d["since"]), int(d.get("defer_days") or 0)) for d in state.deferred.values()]
    if not dues:
        return DeadlineResult(None)
    unknown = [d for d in dues if not d.known]
    return unknown[0] if unknown else min(dues, key=lambda d: d.date or date.max)


def _day(text: str | None) -> date:
    return date.fromisoformat(str(text))
