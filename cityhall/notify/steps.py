"""Which texts a case's steps call for, and their parameters: pure, no I/O.

Parameters are what a template may show: the case number, the item's name, the masked
name (``曾*``), station names, material names and dates. Never the ID number, the full
name, the phone or a form answer: ``SAFE_PARAMS`` is the whole vocabulary.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast
from datetime import date

from forms import InvalidValue, check_phone, mask_name
from station.deadlines import legal_clock, pause_label, supplement_due
from station.ledger import CaseState, Event, display_case_no
from station.topology import Topology
from station.workdays import CalendarUnknown, WorkCalendar

if TYPE_CHECKING:
    from station.ledger.shapes import SupplementRequestedData

__all__ = ["NoticeDraft", "STEP_PARAMS", "SAFE_PARAMS", "drafts_for_events", "deferred_due_draft",
           "rate_invite_draft", "phone_problem", "DEFERRED_DUE_WORKDAYS", "RATE_INVITE_WORKDAYS"]

DEFERRED_DUE_WORKDAYS = 2
"""Remind the applicant when a deferred (容缺) material is due within this many working days."""
RATE_INVITE_WORKDAYS = 3
"""Invite a rating when a decided case has none this many working days after the decision."""

STEP_PARAMS: dict[str, tuple[str, ...]] = {
    "received": ("case_no", "item", "name", "url"),
    "supplement_requested": ("case_no", "item", "name", "materials", "station"),
    "accepted": ("case_no", "item", "name", "deadline"),
    "decided": ("case_no", "item", "name", "result", "place"),
    "deferred_due": ("case_no", "item", "name", "materials", "due"),
    "voided": ("case_no", "item", "name"),
    "rate_invite": ("case_no", "item", "name", "url"),
    "extended": ("case_no", "item", "name", "days", "deadline", "reason"),
    "suspended": ("case_no", "item", "name", "pause", "until"),
    "resumed": ("case_no", "item", "name", "deadline"),
}
"""Each step's parameters, in the order positional templates (Tencent Cloud) number them {1}, {2}, …"""
SAFE_PARAMS = frozenset(p for names in STEP_PARAMS.values() for p in names)
_MAX_PARAM = 35
"""Alibaba Cloud's limit for one template variable; links are exempt (they are a 链接 variable)."""
_EVENT_STEPS = {"received": "received", "supplement_requested": "supplement_requested", "accepted": "accepted",
                "approved": "decided", "denied": "decided", "voided": "voided",
                "extended": "extended", "suspended": "suspended", "resumed": "resumed"}
_RESULTS = {"approved": "准予", "denied": "不予批准"}


@dataclass(frozen=True)
class NoticeDraft:
    """A text to queue: one case, one step, its parameters (before the template code is chosen)."""

    case_no: str
    step: str
    params: dict[str, str]
    phone: str | None
    event_id: str | None = None
    position: int = 0
    """The event's seq: texts of one batch go out in the order their events were stored."""
    needs_link: bool = False
    """The hub adds a fresh tracking link (``url``) when it stores the draft."""


def phone_problem(phone: str | None) -> str | None:
    """Why no text can go to ``phone``; None for a mainland mobile number."""
    if not phone:
        return "未登记手机号"
    try:
        check_phone(phone)
    except InvalidValue:
        return "登记的号码不是手机号，无法发送短信"
    return None


def drafts_for_events(accepted: Iterable[tuple[int, Event]], states: dict[str, CaseState | None],
                      topology: Topology, calendar: WorkCalendar) -> list[NoticeDraft]:
    """The texts a batch of stored events calls for; an event the fold kept as a conflict calls for none."""
    drafts = []
    for seq, event in accepted:
        step = _EVENT_STEPS.get(event.kind)
        state = states.get(event.case)
        if step is None or state is None or not _applied(state, event.id):
            continue
        params = _common(state) | _step_params(step, event, state, topology, calendar)
        drafts.append(NoticeDraft(state.case_no, step, params, _phone(state), event.id, seq,
                                  needs_link=step == "received"))
    return drafts


def deferred_due_draft(state: CaseState, calendar: WorkCalendar, today: date) -> NoticeDraft | None:
    """A reminder when the earliest deferred material is due within 2 working days (not yet past)."""
    if state.status not in ("received", "submitted", "needs_supplement", "accepted") or not state.deferred:
        return None
    due = supplement_due(state, calendar)
    if due.date is None or due.date < today:
        return None
    try:
        if calendar.workdays_between(today, due.date) > DEFERRED_DUE_WORKDAYS:
            return None
    except CalendarUnknown:
        return None
    names = "、".join(str(d["name"]) for d in state.deferred.values())
    params = _common(state) | {"materials": _short(names), "due": due.date.isoformat()}
    return NoticeDraft(state.case_no, "deferred_due", params, _phone(state))


def rate_invite_draft(state: CaseState, calendar: WorkCalendar, today: date) -> NoticeDraft | None:
    """An invitation to rate, 3 working days after an approval or denial that nobody rated."""
    if state.status not in ("approved", "denied", "delivered") or state.ratings or not state.decided_on:
        return None
    try:
        waited = calendar.workdays_between(date.fromisoformat(state.decided_on), today)
    except CalendarUnknown:
        return None
    if waited < RATE_INVITE_WORKDAYS:
        return None
    return NoticeDraft(state.case_no, "rate_invite", _common(state), _phone(state), needs_link=True)


def _applied(state: CaseState, event_id: str) -> bool:
    return any(entry["id"] == event_id and not entry.get("conflict") for entry in reversed(state.timeline))


def _phone(state: CaseState) -> str | None:
    phone = state.applicant.get("phone")
    return str(phone) if phone else None


def _common(state: CaseState) -> dict[str, str]:
    return {"case_no": display_case_no(state.case_no), "item": _short(str(state.item.get("name", ""))),
            "name": mask_name(str(state.applicant.get("name", "")))}


def _step_params(step: str, event: Event, state: CaseState, topology: Topology,
                 calendar: WorkCalendar) -> dict[str, str]:
    if step == "supplement_requested":
        return {"materials": _short(_material_names(event, state)), "station": _short(_station_name(event.station, topology))}
    if step == "accepted":
        # the deadline as the acceptance set it: the batch may already have paused the clock again
        promise = int(state.item.get("promise_days") or 0)
        deadline = calendar.deadline_for(date.fromisoformat(event.day), promise)
        return {"deadline": deadline.iso or (deadline.note_zh or "以受理通知书为准")}
    if step == "decided":
        return {"result": _RESULTS[event.kind], "place": _short(_station_name(state.origin, topology))}
    if step == "extended":
        return {"days": str(event.data["days"]), "deadline": _clock_deadline(state, calendar, event),
                "reason": _short(str(event.data["reason"]))}
    if step == "suspended":
        return {"pause": pause_label(str(event.data["reason"])), "until": str(event.data.get("until") or "另行通知")}
    if step == "resumed":
        return {"deadline": _clock_deadline(state, calendar, event)}
    return {}


def _clock_deadline(state: CaseState, calendar: WorkCalendar, event: Event) -> str:
    """The promised deadline the case has now; a later pause in the same batch leaves it open."""
    deadline = legal_clock(state, calendar, date.fromisoformat(event.day)).promised
    return deadline.iso or "以办理机关通知为准"


def _material_names(event: Event, state: CaseState) -> str:
    names = []
    for material in cast("SupplementRequestedData", event.data).get("materials", []):
        if isinstance(material, dict):
            names.append(str(material.get("name") or state.material_name(str(material.get("key", "")))))
        else:
            names.append(state.material_name(str(material)))
    return "、".join(names) or "见一次性告知书"


def _station_name(code: str, topology: Topology) -> str:
    return topology.get(code).name if code in topology else topology.cityhall.name


def _short(text: str) -> str:
    return text if len(text) <= _MAX_PARAM else text[:_MAX_PARAM - 1] + "…"

