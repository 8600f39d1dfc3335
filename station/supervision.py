"""Watching a station's cases: deadlines, deferred materials, waiting cases, bad ratings.

Everything here is a pure function of case states, a calendar and a day, so the home
screen, ``station watch`` and (later) the city hall all show the same digest. The states
come from :meth:`station.service.StationService.case_states`.

A case concerns a station when the station received it or has handled it; each alert
says whether this station is the one that must act (``can_act``), because a village
sees its villagers' cases late at the township but cannot accept or void them there.
"""
from __future__ import annotations

import logging

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from station.deadlines import LegalClock, legal_clock, supplement_due
from station.ledger import OPEN_STATUSES, STATUS_LABELS, CaseState
from station.workdays import CalendarUnknown, WorkCalendar

if TYPE_CHECKING:
    from station.ledger.shapes import CallbackEntry, RatingEntry

_log = logging.getLogger(__name__)
__all__ = [
    "BAD_RATING_MAX", "WatchPolicy", "FollowUp", "CaseAlert", "Digest",
    "follow_ups", "watch", "concerns",
]

BAD_RATING_MAX = 2
"""Ratings at or below this (不满意, 非常不满意) are bad ratings that need a call-back."""


@dataclass(frozen=True)
class WatchPolicy:
    """Thresholds of the daily watch; each is set locally, hence configurable."""

    warn_workdays: int = 2
    """A deadline this many working days away or fewer is listed as near."""
    acceptance_wait_workdays: int = 3
    """A case received or forwarded this many working days ago and still not accepted is listed."""
    fix_workdays: int = 5
    """Working days after a bad rating by which the call-back and fix are due."""


# -- 好差评 follow-ups -----------------------------------------------------------------


@dataclass(frozen=True)
class FollowUp:
    """A bad rating and the call-back that answers it (or not yet)."""

    case_no: str
    item_name: str
    level: int
    comment: str
    rated_on: str
    fix_by: str | None
    """Call-back and fix due date; None when the calendar does not cover it."""
    called_back_on: str | None
    call_back_note: str
    can_act: bool = True

    @property
    def closed(self) -> bool:
        return self.called_back_on is not None

    def state(self, today: date) -> str:
        """``closed``, ``closed_late``, ``open`` or ``overdue``."""
        late_by = self.called_back_on or today.isoformat()
        late = self.fix_by is not None and late_by > self.fix_by
        if self.closed:
            return "closed_late" if late else "closed"
        return "overdue" if late else "open"


def follow_ups(state: CaseState, calendar: WorkCalendar, fix_workdays: int = 5) -> list[FollowUp]:
    """One follow-up per bad rating; each is closed by the first later call-back not yet used."""
    callbacks = sorted(state.callbacks, key=lambda c: _moment(c["at"]))
    used: set[int] = set()
    result = []
    for rating in sorted(state.ratings, key=lambda r: _moment(r["at"])):
        if not _is_bad(rating):
            continue
        answer = _first_unused(callbacks, used, _moment(rating["at"]))
        rated_on = rating["at"][:10]
        result.append(FollowUp(
            case_no=state.case_no, item_name=str(state.item.get("name", "")), level=int(rating["level"]),
            comment=str(rating.get("comment") or ""), rated_on=rated_on,
            fix_by=calendar.deadline_for(date.fromisoformat(rated_on), fix_workdays).iso,
            called_back_on=answer["at"][:10] if answer else None,
            call_back_note=str(answer.get("note") or "") if answer else "",
        ))
    return result


def _is_bad(rating: RatingEntry) -> bool:
    level = rating.get("level")
    return isinstance(level, int) and level <= BAD_RATING_MAX


def _first_unused(callbacks: list[CallbackEntry], used: set[int], after: datetime) -> CallbackEntry | None:
    for index, callback in enumerate(callbacks):
        if index not in used and _moment(callback["at"]) >= after:
            used.add(index)
            return callback
    return None


def _moment(at: str) -> datetime:
    # Events from the city hall and from stations may carry different offsets.
    return datetime.fromisoformat(at)


# -- the daily digest ---------------------------------------------------------------


@dataclass(frozen=True)
class CaseAlert:
    """One case that needs attention, with the date that makes it so."""

    case_no: str
    item_name: str
    applicant_name: str
    status: str
    status_label: str
    handler: str
    date: str | None
    """The deadline, the due date of deferred materials, or the day the wait began."""
    workdays: int | None
    """Working days left (near), overdue by (past), or waited (waiting)."""
    can_act: bool
    note: str = ""


@dataclass(frozen=True)
class Digest:
    """What a station should look at today; the home screen and ``station watch`` show it."""

    day: str
    station: str | None
    policy: WatchPolicy
    deadlines_near: tuple[CaseAlert, ...] = ()
    deadlines_past: tuple[CaseAlert, ...] = ()
    deadlines_unknown: tuple[CaseAlert, ...] = ()
    deferred_past_due: tuple[CaseAlert, ...] = ()
    """Promises broken: the handler is prompted to void these, recording the reason."""
    waiting_acceptance: tuple[CaseAlert, ...] = ()
    """Received and not yet forwarded for too long."""
    follow_ups_open: tuple[FollowUp, ...] = ()
    """Bad ratings without a call-back yet."""
    acceptance_past: tuple[CaseAlert, ...] = ()
    """Past the 5-working-day rule without an answer: they already count as accepted (Art. 32)."""
    acceptance_at_risk: tuple[CaseAlert, ...] = ()
    """Unanswered from the 3rd working day after arrival: the date is the last day to answer."""

    SECTIONS: ClassVar[tuple[str, ...]] = ("acceptance_past", "deadlines_past", "acceptance_at_risk", "deadlines_near",
                "deadlines_unknown", "deferred_past_due", "waiting_acceptance", "follow_ups_open")

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in self.SECTIONS}

    @property
    def empty(self) -> bool:
        return not any(self.counts().values())

    def as_dict(self) -> dict[str, Any]:
        body = {name: [asdict(entry) for entry in getattr(self, name)] for name in self.SECTIONS}
        for entry, follow_up in zip(body["follow_ups_open"], self.follow_ups_open, strict=True):
            entry["state"] = follow_up.state(date.fromisoformat(self.day))
        return {"day": self.day, "station": self.station, "policy": asdict(self.policy),
                "counts": self.counts(), **body}


@dataclass
class _Lists:
    near: list[CaseAlert] = field(default_factory=list)
    past: list[CaseAlert] = field(default_factory=list)
    unknown: list[CaseAlert] = field(default_factory=list)
    deferred: list[CaseAlert] = field(default_factory=list)
    waiting: list[CaseAlert] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    acceptance_past: list[CaseAlert] = field(default_factory=list)
    acceptance_at_risk: list[CaseAlert] = field(default_factory=list)


def concerns(state: CaseState, station: str | None) -> bool:
    """The station received or has handled the case; ``None`` means every case."""
    return station is None or station == state.origin or station in state.handlers


def watch(states: Iterable[CaseState], calendar: WorkCalendar, today: date,
          station: str | None = None, policy: WatchPolicy = WatchPolicy()) -> Digest:
    lists = _Lists()
    for state in states:
        if concerns(state, station):
            try:
                _watch_case(state, calendar, today, station, policy, lists)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                # a case whose history cannot be read is left out alone; it never sinks the digest
                _log.warning("case %s cannot be watched: %r", state.case_no, exc)
    by_date = lambda alert: (alert.date or "9999", alert.case_no)  # noqa: E731
    return Digest(
        day=today.isoformat(), station=station, policy=policy,
        deadlines_near=tuple(sorted(lists.near, key=by_date)), deadlines_past=tuple(sorted(lists.past, key=by_date)),
        deadlines_unknown=tuple(sorted(lists.unknown, key=by_date)),
        deferred_past_due=tuple(sorted(lists.deferred, key=by_date)),
        waiting_acceptance=tuple(sorted(lists.waiting, key=by_date)),
        acceptance_past=tuple(sorted(lists.acceptance_past, key=by_date)),
        acceptance_at_risk=tuple(sorted(lists.acceptance_at_risk, key=by_date)),
        follow_ups_open=tuple(sorted(lists.follow_ups, key=lambda f: (f.fix_by or "9999", f.case_no))),
    )


def _watch_case(state: CaseState, calendar: WorkCalendar, today: date, station: str | None,
                policy: WatchPolicy, lists: _Lists) -> None:
    if state.status in OPEN_STATUSES:
        clock = legal_clock(state, calendar, today)
        _watch_deadline(state, clock, calendar, today, station, policy, lists)
        _watch_deferred(state, calendar, today, station, lists)
        _watch_waiting(state, calendar, today, station, policy, lists)
        _watch_acceptance(state, clock, station, lists)
    can_act = station is None or station in (state.origin, state.handler)
    lists.follow_ups += [FollowUp(**{**asdict(f), "can_act": can_act})
                         for f in follow_ups(state, calendar, policy.fix_workdays) if not f.closed]


def _alert(state: CaseState, day: str | None, workdays: int | None, can_act: bool, note: str = "") -> CaseAlert:
    return CaseAlert(case_no=state.case_no, item_name=str(state.item.get("name", "")),
                     applicant_name=str(state.applicant.get("name", "")), status=state.status,
                     status_label=STATUS_LABELS[state.status], handler=state.handler, date=day,
                     workdays=workdays, can_act=can_act, note=note)


def _watch_deadline(state: CaseState, clock: LegalClock, calendar: WorkCalendar, today: date, station: str | None,
                    policy: WatchPolicy, lists: _Lists) -> None:
    if not (state.status == "accepted" or (state.status == "submitted" and clock.deemed_accepted)):
        return  # not started, or paused while materials are awaited
    deadline = clock.promised
    can_act = station is None or station == state.handler
    if clock.paused_now is not None:
        return  # a statutory pause: the clock stands still, nothing is near
    if deadline.date is None:
        lists.unknown.append(_alert(state, None, None, can_act, deadline.note_zh or ""))
        return
    try:
        if today > deadline.date:
            note = {"overdue": f"已超过法定时限（{clock.legal.iso}）",
                    "due_soon": f"法定时限 {clock.legal.iso} 将到"}.get(clock.legal_warning or "", "")
            lists.past.append(_alert(state, deadline.iso, calendar.workdays_between(deadline.date, today), can_act, note))
            return
        left = calendar.workdays_between(today, deadline.date)
    except CalendarUnknown as exc:
        lists.unknown.append(_alert(state, deadline.iso, None, can_act, exc.note_zh))
        return
    if left <= policy.warn_workdays:
        lists.near.append(_alert(state, deadline.iso, left, can_act))


def _watch_deferred(state: CaseState, calendar: WorkCalendar, today: date, station: str | None,
                    lists: _Lists) -> None:
    due = supplement_due(state, calendar)
    if not state.deferred or due.date is None or today <= due.date:
        return
    # The ledger's rule for voiding: the handler, or the origin while not yet forwarded.
    can_act = station is None or station == state.handler or (station == state.origin and state.status == "received")
    owed = "、".join(d["name"] for d in state.deferred.values())
    note = f"容缺材料“{owed}”应于 {due.iso} 前补交，逾期未补，请核实后作废并记录原因"
    lists.deferred.append(_alert(state, due.iso, calendar.workdays_between(due.date, today), can_act, note))


def _watch_acceptance(state: CaseState, clock: LegalClock, station: str | None, lists: _Lists) -> None:
    """The 5-working-day rule (Art. 32), for cases that reached their handler and wait for an answer."""
    window = clock.acceptance
    if state.status != "submitted" or window is None or window.answered_on is not None:
        return
    can_act = station is None or station == state.handler
    answer_by = window.answer_by.isoformat() if window.answer_by else None
    if window.deemed:
        note = f"{window.reached_on.isoformat()} 送达，5 个工作日内未答复，已视为受理；期限自送达日起算"
        lists.acceptance_past.append(_alert(state, answer_by, window.workdays_waited, can_act, note))
    elif window.at_risk:
        note = f"已等 {window.workdays_waited} 个工作日，请于 {answer_by} 前受理、不予受理或一次性告知"
        lists.acceptance_at_risk.append(_alert(state, answer_by, window.workdays_waited, can_act, note))


def _watch_waiting(state: CaseState, calendar: WorkCalendar, today: date, station: str | None,
                   policy: WatchPolicy, lists: _Lists) -> None:
    if state.status != "received":
        return  # a submitted case is watched by the 5-working-day rule (_watch_acceptance)
    since = _waiting_since(state)
    try:
        waited = calendar.workdays_between(since, today)
    except CalendarUnknown:
        return
    if waited >= policy.acceptance_wait_workdays:
        note = "收件后尚未报送" if state.status == "received" else "报送后尚未受理"
        can_act = station is None or station == state.handler
        lists.waiting.append(_alert(state, since.isoformat(), waited, can_act, note))


def _waiting_since(state: CaseState) -> date:
    """The day the case last landed at its handler: received, forwarded or escalated."""
    moves = [e["at"][:10] for e in state.timeline
             if e["kind"] in ("received", "forwarded", "escalated") and not e.get("conflict")]
    return date.fromisoformat(moves[-1] if moves else state.received_on)
