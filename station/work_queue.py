"""The work queue: cases waiting for this station's decision, most urgent first.

A township decides for all its villages; the queue puts first what the law makes most
urgent: cases past the 5-working-day acceptance rule (they already count as accepted),
then those past a deadline (either clock), then those due within 2 working days (or
whose 5 days to answer end within that), then the rest. Pure: the states come from
:meth:`station.service.StationService.work_queue`.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

from station.deadlines import LegalClock, legal_clock
from station.ledger import STATUS_LABELS, CaseState
from station.topology import Topology
from station.workdays import WorkCalendar

__all__ = ["URGENCIES", "URGENCY_LABELS", "QueueEntry", "VillageCount", "WorkQueue", "work_queue"]

Urgency = Literal["acceptance_overdue", "overdue", "due_soon", "normal"]
URGENCIES: tuple[Urgency, ...] = ("acceptance_overdue", "overdue", "due_soon", "normal")
URGENCY_LABELS = {"acceptance_overdue": "超5日未受理", "overdue": "已逾期", "due_soon": "即将到期", "normal": "一般"}
WAITING_FOR_DECISION = ("submitted", "accepted")
"""Submitted: to accept, refuse or ask for supplements; accepted: to approve or deny."""


@dataclass(frozen=True)
class QueueEntry:
    case_no: str
    status: str
    status_label: str
    item: str
    item_name: str
    instant: bool
    origin: str
    origin_name: str
    applicant_name: str
    urgency: Urgency
    urgency_label: str
    deadline: str | None
    legal_deadline: str | None
    promised_warning: str | None
    legal_warning: str | None
    """``overdue`` / ``due_soon`` / ``ok`` / ``unknown``; None before the clock starts."""
    answer_by: str | None
    """Last day to accept, refuse or ask for supplements (submitted cases)."""
    deemed_accepted: bool
    paused: str | None
    """``公示中`` and the like while a statutory pause lasts."""
    received_on: str


@dataclass(frozen=True)
class VillageCount:
    origin: str
    name: str
    total: int
    by_urgency: dict[str, int]


@dataclass(frozen=True)
class WorkQueue:
    day: str
    station: str
    entries: tuple[QueueEntry, ...]
    villages: tuple[VillageCount, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day, "station": self.station, "queue": [asdict(e) for e in self.entries],
                "villages": [asdict(v) for v in self.villages],
                "counts": dict(Counter(e.urgency for e in self.entries))}


def work_queue(states: Iterable[CaseState], calendar: WorkCalendar, today: date, station: str,
               topology: Topology) -> WorkQueue:
    entries = [_entry(state, legal_clock(state, calendar, today), topology)
               for state in states if state.handler == station and state.status in WAITING_FOR_DECISION]
    entries.sort(key=_order)
    return WorkQueue(today.isoformat(), station, tuple(entries), _villages(entries))


def _urgency(state: CaseState, clock: LegalClock) -> Urgency:
    acceptance = clock.acceptance
    if state.status == "submitted" and clock.deemed_accepted:
        return "acceptance_overdue"
    warnings = {clock.promised_warning, clock.legal_warning}
    if "overdue" in warnings:
        return "overdue"
    if "due_soon" in warnings or (state.status == "submitted" and acceptance is not None and acceptance.at_risk):
        return "due_soon"
    return "normal"


def _entry(state: CaseState, clock: LegalClock, topology: Topology) -> QueueEntry:
    urgency = _urgency(state, clock)
    paused = clock.paused_now
    answer_by = clock.acceptance.answer_by if clock.acceptance and state.status == "submitted" else None
    return QueueEntry(
        case_no=state.case_no, status=state.status, status_label=STATUS_LABELS[state.status],
        item=str(state.item.get("code", "")), item_name=str(state.item.get("name", "")),
        instant=bool(state.item.get("instant")), origin=state.origin, origin_name=_name(topology, state.origin),
        applicant_name=str(state.applicant.get("name", "")), urgency=urgency, urgency_label=URGENCY_LABELS[urgency],
        deadline=clock.promised.iso, legal_deadline=clock.legal.iso,
        promised_warning=clock.promised_warning, legal_warning=clock.legal_warning,
        answer_by=answer_by.isoformat() if answer_by else None, deemed_accepted=clock.deemed_accepted,
        paused=paused.label if paused else None, received_on=state.received_on,
    )


def _order(entry: QueueEntry) -> tuple[int, str, str, str]:
    # within a group: the nearest legal date first (answer-by for cases not yet accepted)
    nearest = min(d for d in (entry.legal_deadline, entry.deadline, entry.answer_by, "9999-12-31") if d)
    return URGENCIES.index(entry.urgency), nearest, entry.received_on, entry.case_no


def _villages(entries: list[QueueEntry]) -> tuple[VillageCount, ...]:
    by_origin: dict[str, list[QueueEntry]] = {}
    for entry in entries:
        by_origin.setdefault(entry.origin, []).append(entry)
    counts = [VillageCount(origin, group[0].origin_name, len(group),
                           {u: n for u in URGENCIES if (n := sum(e.urgency == u for e in group))})
              for origin, group in by_origin.items()]
    return tuple(sorted(counts, key=lambda c: (-c.total, c.origin)))


def _name(topology: Topology, code: str) -> str:
    return topology.get(code).name if code in topology else code
