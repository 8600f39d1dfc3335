"""A case is the fold of its events.

``fold`` sorts by (hlc, id, station), drops repeats of an event (its station and id) and
applies each event in turn, so the same set of events gives the same state whatever
order it arrived in. Two stations' events never shadow each other, even with equal ids. An event that is
not a valid step when its turn comes is kept in the timeline and listed as a conflict.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from forms.records import Record
from station.topology import Topology

from .events import Event
from .rules import KIND_LABELS, STATUS_LABELS, Verdict, check, next_status
from .shapes import ApplicantFacts, ItemFacts

if TYPE_CHECKING:
    from forms.jsonvalue import JsonObject

    from .shapes import (AttachedData, AttachmentEntry, CalledBackData, CallbackEntry, ConflictEntry, DeferredEntry,
                         ExtendedData, ExtensionEntry, MaterialAsked, MaterialEntry, NoteEntry, NotedData, RatedData,
                         RatingEntry, ReceivedData, SupplementedData, SupplementRequestedData, SuspendedData,
                         SuspensionEntry, TimelineEntryData)

__all__ = ["CaseState", "fold", "apply", "apply_judged", "step_problem"]


class CaseState(Record):
    """What a case's events say it is; the fold changes it in place, event by event.

    A plain class, not a dataclass (:mod:`forms.records`): equal to another of the same fields;
    ``vars()`` of it is what the stores keep, and ``CaseState(**kept)`` makes it again (a field
    a store's state predates takes its default).

    ``deferred``: materials accepted as missing (容缺): key -> {name, since, defer_days}.
    ``requested``: materials the handler asked for in the one-time notice and not yet supplied.
    ``pauses``: [start, end] days the deadline clock stood still waiting for materials.
    ``reached_handler_on``: the day the case (forwarded, escalated, or its supplements complete)
    last reached a handler that must accept, refuse or ask for supplements within 5 working days
    (Art. 32); None before it is forwarded, and when the origin itself decides and accepted on receipt.
    ``answered_on``: the day the handler answered (accepted, refused or asked for supplements)
    after ``reached_handler_on``; None while no answer was recorded.
    ``extension``: the one extension (延期): {days, reason, on, by}.
    ``suspensions``: statutory pauses since acceptance (Art. 45): {reason, since, until, ended}.
    """

    _fields = ("case_no", "origin", "handler", "status", "previous_status", "handlers", "item", "applicant", "fields",
               "materials", "deferred", "requested", "received_on", "accepted_on", "decided_on", "pauses",
               "reached_handler_on", "answered_on", "extension", "suspensions", "token_hash", "ratings", "callbacks",
               "notes", "attachments", "conflicts", "timeline", "last_hlc")

    def __init__(self, case_no: str, origin: str, handler: str, status: str = "received",
                 previous_status: str | None = None, handlers: list[str] | None = None, item: ItemFacts | None = None,
                 applicant: ApplicantFacts | None = None, fields: JsonObject | None = None,
                 materials: list[MaterialEntry] | None = None, deferred: dict[str, DeferredEntry] | None = None,
                 requested: list[str] | None = None, received_on: str = "", accepted_on: str | None = None,
                 decided_on: str | None = None, pauses: list[list[str | None]] | None = None,
                 reached_handler_on: str | None = None, answered_on: str | None = None,
                 extension: ExtensionEntry | None = None, suspensions: list[SuspensionEntry] | None = None,
                 token_hash: str = "", ratings: list[RatingEntry] | None = None,
                 callbacks: list[CallbackEntry] | None = None, notes: list[NoteEntry] | None = None,
                 attachments: list[AttachmentEntry] | None = None, conflicts: list[ConflictEntry] | None = None,
                 timeline: list[TimelineEntryData] | None = None, last_hlc: str = "") -> None:
        self.case_no = case_no
        self.origin = origin
        self.handler = handler
        self.status = status
        self.previous_status = previous_status
        self.handlers: list[str] = [] if handlers is None else handlers
        self.item: ItemFacts = ItemFacts() if item is None else item
        self.applicant: ApplicantFacts = ApplicantFacts() if applicant is None else applicant
        self.fields: JsonObject = {} if fields is None else fields
        self.materials: list[MaterialEntry] = [] if materials is None else materials
        self.deferred: dict[str, DeferredEntry] = {} if deferred is None else deferred
        self.requested: list[str] = [] if requested is None else requested
        self.received_on = received_on
        self.accepted_on = accepted_on
        self.decided_on = decided_on
        self.pauses: list[list[str | None]] = [] if pauses is None else pauses
        self.reached_handler_on = reached_handler_on
        self.answered_on = answered_on
        self.extension = extension
        self.suspensions: list[SuspensionEntry] = [] if suspensions is None else suspensions
        self.token_hash = token_hash
        self.ratings: list[RatingEntry] = [] if ratings is None else ratings
        self.callbacks: list[CallbackEntry] = [] if callbacks is None else callbacks
        self.notes: list[NoteEntry] = [] if notes is None else notes
        self.attachments: list[AttachmentEntry] = [] if attachments is None else attachments
        self.conflicts: list[ConflictEntry] = [] if conflicts is None else conflicts
        self.timeline: list[TimelineEntryData] = [] if timeline is None else timeline
        self.last_hlc = last_hlc

    @property
    def suspended(self) -> bool:
        """A statutory pause has started and not yet ended."""
        return bool(self.suspensions) and self.suspensions[-1]["ended"] is None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def outstanding_materials(self) -> list[str]:
        """Names of materials still owed: deferred ones and ones asked for."""
        keys = list(self.deferred) + [k for k in self.requested if k not in self.deferred]
        return [self.material_name(k) for k in keys]

    def material_name(self, key: str) -> str:
        for material in self.materials:
            if material["key"] == key:
                return str(material["name"])
        return key

    def visible_to(self, station: str, topology: Topology) -> bool:
        involved = {self.origin, *self.handlers}
        return station in involved or any(topology.is_ancestor(station, code) for code in involved)


def fold(events: Iterable[Event], topology: Topology) -> CaseState | None:
    state: CaseState | None = None
    seen: set[tuple[str, str]] = set()
    for event in sorted(events, key=lambda e: e.sort_key):
        if event.identity in seen:
            continue
        seen.add(event.identity)
        state = apply(state, event, topology)
    return state


def apply(state: CaseState | None, event: Event, topology: Topology) -> CaseState | None:
    """One step of the fold. Only use directly for an event that sorts after the rest."""
    return apply_judged(state, event, topology, step_problem(state, event, topology))


def apply_judged(state: CaseState | None, event: Event, topology: Topology, verdict: Verdict | None) -> CaseState | None:
    """``apply`` for a caller that already has ``step_problem(state, event, topology)``: judged once, not twice."""
    if state is None:
        return None if verdict else _open_case(event, topology)
    if verdict:
        _record_conflict(state, event, verdict)
    else:
        _APPLY.get(event.kind, _apply_transition)(state, event, topology)
        state.timeline.append(_timeline_entry(event))
    state.last_hlc = max(state.last_hlc, event.hlc)
    return state


def _open_case(event: Event, topology: Topology) -> CaseState:
    data = cast("ReceivedData", event.data)  # held to the contract's _Received before it was recorded
    item, day = data.get("item", {}).copy(), event.day
    materials = [m.copy() for m in data.get("materials", [])]
    deferred: dict[str, DeferredEntry] = {m["key"]: {"name": m["name"], "since": day, "defer_days": m.get("defer_days")}
                                          for m in materials if m.get("status") == "deferred"}
    state = CaseState(case_no=event.case, origin=event.station, handler=event.station, handlers=[event.station],
                      item=item, applicant=data.get("applicant", {}).copy(), fields=data.get("fields", {}).copy(),
                      materials=materials, deferred=deferred, received_on=day,
                      token_hash=str(data.get("token_hash", "")), timeline=[_timeline_entry(event)], last_hlc=event.hlc)
    if event.station in topology and topology.get(event.station).level == item.get("level"):
        state.status, state.accepted_on = "accepted", day
    return state


def step_problem(state: CaseState | None, event: Event, topology: Topology) -> Verdict | None:
    """Why ``event`` cannot follow ``state`` (the rules, then the station tree); None if it can."""
    verdict = check(state, event, topology)
    if verdict or state is None or event.kind not in ("forwarded", "escalated"):
        return verdict
    if _next_handler(state, event, topology) is None:
        return Verdict(False, "上级站点不存在，无法报送")
    return None


def _next_handler(state: CaseState, event: Event, topology: Topology) -> str | None:
    if state.handler not in topology:
        return None
    if event.kind == "forwarded":
        target = _station_at_level(topology, state.origin, str(state.item.get("level")))
        return target if target != state.origin else None
    return topology.get(state.handler).parent


@functools.lru_cache(maxsize=4096)
def _station_at_level(topology: Topology, code: str, level: str) -> str | None:
    """``topology.ancestor_at_level``, remembered: a topology never changes once loaded (it keeps its
    own ``ancestors`` too), and every case forwarded from one station asks the same."""
    return topology.ancestor_at_level(code, level)


def _record_conflict(state: CaseState, event: Event, verdict: Verdict) -> None:
    state.conflicts.append({"event": event.id, "kind": event.kind, "station": event.station,
                            "actor": event.actor, "at": event.at, "reason": verdict.reason})
    state.timeline.append(_timeline_entry(event, verdict.reason))


_SUMMARY_KEYS = frozenset({"reason", "materials", "level", "comment", "note", "to", "material", "due", "days", "until"})
"""What of an event's ``data`` its timeline entry shows."""


def _timeline_entry(event: Event, conflict: str | None = None) -> TimelineEntryData:
    summary = {k: v for k, v in event.data.items() if k in _SUMMARY_KEYS}
    return {"id": event.id, "kind": event.kind, "label": KIND_LABELS[event.kind], "at": event.at,
            "station": event.station, "actor": event.actor, "role": event.role, "hlc": event.hlc,
            "data": summary, "conflict": conflict}


def _apply_transition(state: CaseState, event: Event, topology: Topology) -> None:
    if event.kind == "refused":
        _answered(state, event)
    state.status = next_status(event.kind) or state.status
    if event.kind in ("approved", "denied", "refused"):
        state.decided_on = event.day


def _answered(state: CaseState, event: Event) -> None:
    """The handler's first answer to the case's arrival (the 5-working-day rule)."""
    if state.reached_handler_on is not None and state.answered_on is None:
        state.answered_on = event.day


def _apply_moving(state: CaseState, event: Event, topology: Topology) -> None:
    target = _next_handler(state, event, topology)
    assert target is not None  # checked by step_problem
    state.handler = target
    if target not in state.handlers:
        state.handlers.append(target)
    state.status = "submitted"
    state.accepted_on = None
    state.reached_handler_on, state.answered_on = event.day, None


def _apply_accepted(state: CaseState, event: Event, topology: Topology) -> None:
    _answered(state, event)
    state.status = "accepted"
    state.accepted_on = event.day
    state.pauses = []
    state.suspensions = []


def _apply_supplement_requested(state: CaseState, event: Event, topology: Topology) -> None:
    asked = cast("SupplementRequestedData", event.data).get("materials", [])
    keys = [m["key"] if isinstance(m, dict) else str(m) for m in asked]
    _answered(state, event)
    _register_materials(state, asked)
    state.previous_status = state.status
    state.requested = list(dict.fromkeys(state.requested + keys))
    if state.status == "accepted":
        state.pauses.append([event.day, None])
    state.status = "needs_supplement"


def _apply_supplemented(state: CaseState, event: Event, topology: Topology) -> None:
    data = cast("SupplementedData", event.data)
    supplied = [str(k) for k in data.get("materials", [])] or list(state.requested) + list(state.deferred)
    for key in supplied:
        state.deferred.pop(key, None)
        if key in state.requested:
            state.requested.remove(key)
        _set_material_status(state, key, "received")
    if state.status == "needs_supplement" and not state.requested:
        state.status = state.previous_status or "submitted"
        state.previous_status = None
        if state.status == "submitted":  # complete now: a new 5-day window to accept
            state.reached_handler_on, state.answered_on = event.day, None
        if state.pauses and state.pauses[-1][1] is None:
            state.pauses[-1][1] = event.day


def _register_materials(state: CaseState, materials: list[MaterialAsked | str]) -> None:
    known = {m["key"] for m in state.materials}
    for material in materials:
        if isinstance(material, dict) and material.get("key") not in known:
            state.materials.append({"key": material["key"], "name": material.get("name", material["key"]),
                                    "required": True, "deferrable": False, "status": "missing"})


def _set_material_status(state: CaseState, key: str, status: str) -> None:
    for material in state.materials:
        if material["key"] == key:
            material["status"] = status


def _apply_rated(state: CaseState, event: Event, topology: Topology) -> None:
    data = cast("RatedData", event.data)  # its level checked by the rules (_state_problem)
    state.ratings.append({"level": data["level"], "comment": data.get("comment", ""),
                          "by": event.actor, "station": event.station, "at": event.at})


def _apply_called_back(state: CaseState, event: Event, topology: Topology) -> None:
    data = cast("CalledBackData", event.data)
    state.callbacks.append({"note": data.get("note", ""), "result": data.get("result", ""),
                            "by": event.actor, "station": event.station, "at": event.at})


def _apply_noted(state: CaseState, event: Event, topology: Topology) -> None:
    note = cast("NotedData", event.data).get("note", "")
    state.notes.append({"note": note, "by": event.actor, "station": event.station, "at": event.at})


def _apply_attached(state: CaseState, event: Event, topology: Topology) -> None:
    data = cast("AttachedData", event.data)
    state.attachments.append({"material": data.get("material"), "sha256": data.get("sha256"), "size": data.get("size"),
                              "type": data.get("type"), "name": data.get("name")})


def _apply_extended(state: CaseState, event: Event, topology: Topology) -> None:
    data = cast("ExtendedData", event.data)
    state.extension = {"days": data["days"], "reason": data["reason"], "on": event.day, "by": event.actor}


def _apply_suspended(state: CaseState, event: Event, topology: Topology) -> None:
    data = cast("SuspendedData", event.data)
    state.suspensions.append({"reason": data["reason"], "since": event.day, "until": data.get("until"), "ended": None})


def _apply_resumed(state: CaseState, event: Event, topology: Topology) -> None:
    state.suspensions[-1]["ended"] = event.day


_APPLY = {
    "extended": _apply_extended,
    "suspended": _apply_suspended,
    "resumed": _apply_resumed,
    "forwarded": _apply_moving,
    "escalated": _apply_moving,
    "accepted": _apply_accepted,
    "supplement_requested": _apply_supplement_requested,
    "supplemented": _apply_supplemented,
    "rated": _apply_rated,
    "called_back": _apply_called_back,
    "noted": _apply_noted,
    "attached": _apply_attached,
}
