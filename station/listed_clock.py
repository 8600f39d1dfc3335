"""Both clocks of a case as one line of a list shows them: the Today board, the app's case
list and ``station cases``.

Worked out from the case's state and today, never read from the projection's stored
deadline alone: a case nobody answered within 5 working days counts as accepted as days
pass, with no event to fold it again (Art. 32), so only today can say it.
"""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

from station.deadlines import legal_clock
from station.ledger import CaseState
from station.workdays import WorkCalendar

__all__ = ["ListedClock", "listed_clock"]


class ListedClock(NamedTuple):
    deadline: str | None
    """The promised deadline (承诺时限), from the day the case counts as accepted."""
    legal_deadline: str | None
    """The legal deadline (法定时限); None before the clock starts, or when the item has none."""
    deemed_accepted: bool
    """视为受理: not answered within 5 working days of reaching its handler."""
    overdue: bool
    """Past the promised deadline while open."""
    legal_overdue: bool
    """Past the legal deadline while open: louder than ``overdue``."""
    paused: str | None
    """``公示中``, ``检测中`` or ``等待补正`` while the clock stands still."""


def listed_clock(state: CaseState, calendar: WorkCalendar, today: date) -> ListedClock:
    clock = legal_clock(state, calendar, today)
    pause = clock.paused_now
    return ListedClock(deadline=clock.promised.iso, legal_deadline=clock.legal.iso,
                       deemed_accepted=clock.deemed_accepted, overdue=clock.promised_warning == "overdue",
                       legal_overdue=clock.legal_warning == "overdue", paused=pause.label if pause else None)
