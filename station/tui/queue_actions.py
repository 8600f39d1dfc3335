"""What the case screen and the work queue offer on one case: the ledger's allowed actions,
the legal clock's too.

The ordinary actions come from ``case_actions``; the legal clock's kinds need days and
dates, which the clock dialog asks for, so they are added here, each checked by the
ledger with a candidate event like every other action.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from forms.jsonvalue import JsonObject
from station.ledger import STATUTORY_PAUSES, CaseState, Event, step_problem
from station.service import Operator
from station.topology import Topology
from station.workdays import WorkCalendar

from .case_actions import ActionChoice, available_actions
from .i18n import kind_label

__all__ = ["QueueChoices", "queue_choices", "most_extension_days"]


@dataclass(frozen=True)
class QueueChoices:
    case_no: str
    actions: tuple[ActionChoice, ...]
    """Ordinary actions, asked for with the action dialog."""
    clock_kinds: tuple[str, ...]
    """``extended`` / ``suspended`` / ``resumed`` where the ledger allows them now."""
    pauses: tuple[str, ...]
    most_extension_days: int

    def menu(self) -> list[tuple[str, str]]:
        return [(c.kind, c.label) for c in self.actions] + [(k, kind_label(k)) for k in self.clock_kinds]


def most_extension_days(state: CaseState) -> int:
    """The longest extension the ledger would allow: up to the legal limit plus the allowed extension."""
    promise, legal = int(state.item.get("promise_days") or 0), int(state.item.get("legal_days") or 0)
    return max((legal or promise) + int(state.item.get("max_extension_days") or 0) - promise, 0)


def queue_choices(state: CaseState, operator: Operator, station: str, topology: Topology,
                  calendar: WorkCalendar, now: datetime) -> QueueChoices:
    pauses = tuple(state.item.get("pauses", STATUTORY_PAUSES))
    most = most_extension_days(state)
    candidates: dict[str, JsonObject | None] = {"extended": {"days": max(most, 1), "reason": "延期"},
                  "suspended": {"reason": pauses[0]} if pauses else None, "resumed": {}}
    clock = tuple(kind for kind, data in candidates.items()
                  if data is not None and step_problem(state, _candidate(state, kind, operator, station, now, data),
                                                       topology) is None)
    actions = tuple(available_actions(state, operator, station, topology, calendar, now))
    return QueueChoices(state.case_no, actions, clock, pauses, most)


def _candidate(state: CaseState, kind: str, operator: Operator, station: str, now: datetime,
               data: JsonObject) -> Event:
    return Event(id="candidate", case=state.case_no, kind=kind, hlc=state.last_hlc,
                 at=now.isoformat(timespec="seconds"), station=station, actor=operator.id, role=operator.role,
                 data=data)
