"""A case as the station shows it: typed values for the app's screens, the documents and
``station case``, turned into the JSON of ``station case --json`` once, by ``to_json()``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from forms.jsonvalue import JsonObject, JsonValue
from station.deadlines import LegalClock, legal_clock, supplement_due
from station.ledger import STATUS_LABELS, CaseState, display_case_no
from station.topology import Topology, station_name
from station.workdays import WarningLevel, WorkCalendar

if TYPE_CHECKING:  # the receipt's data and the masks load for a receipt, not to show a case
    from station.receipts import ReceiptData

__all__ = ["CaseView", "Applicant", "Material", "TimelineEntry", "Conflict", "Rating", "Callback", "Note",
           "AttachmentRef", "Notice", "case_view", "clock_json", "station_name", "receipt_data",
           "NOTICE_STEP_LABELS", "NOTICE_STATUS_LABELS"]

NOTICE_STEP_LABELS = {"received": "收件", "supplement_requested": "补正告知", "accepted": "受理", "decided": "办结结果",
                      "deferred_due": "容缺到期提醒", "voided": "作废", "rate_invite": "邀请评价",
                "extended": "延期办理", "suspended": "暂停计时", "resumed": "恢复计时"}
"""The city hall's text messages (办件短信) by step, as the station shows them."""
NOTICE_STATUS_LABELS = {"queued": "待发送", "sending": "发送中", "sent": "已发送", "failed": "发送失败", "skipped": "未发送"}


def _text(value: object, default: str = "") -> str:
    return default if value is None else str(value)


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class Applicant(NamedTuple):
    name: str
    id_number: str
    phone: str | None = None

    @classmethod
    def of(cls, raw: Mapping[str, object]) -> Applicant:
        return cls(_text(raw.get("name")), _text(raw.get("id_number")), _text_or_none(raw.get("phone")))

    def to_json(self) -> JsonObject:
        return {"id_number": self.id_number, "name": self.name, "phone": self.phone}


class Material(NamedTuple):
    """One material of the case's checklist: received, deferred (容缺), missing or supplied."""

    key: str
    name: str
    required: bool
    deferrable: bool
    defer_days: int | None
    status: str

    @classmethod
    def of(cls, raw: Mapping[str, object]) -> Material:
        key = _text(raw.get("key"))
        return cls(key, _text(raw.get("name"), key), bool(raw.get("required", True)), bool(raw.get("deferrable")),
                   _int_or_none(raw.get("defer_days")), _text(raw.get("status"), "missing"))

    def to_json(self) -> JsonObject:
        """In the key order of the stored event (canonical JSON sorts keys)."""
        return dict(sorted(self._asdict().items()))


class TimelineEntry(NamedTuple):
    """One step of the case's history; ``conflict`` says why a step that arrived out of turn did not count."""

    id: str
    kind: str
    label: str
    at: str
    station: str
    station_name: str
    actor: str
    role: str
    hlc: str
    data: JsonObject
    """What the step said that a reader needs (reason, materials, level, comment, note, to, days, until …)."""
    conflict: str | None

    def to_json(self) -> JsonObject:
        return {"id": self.id, "kind": self.kind, "label": self.label, "at": self.at, "station": self.station,
                "actor": self.actor, "role": self.role, "hlc": self.hlc, "data": dict(self.data),
                "conflict": self.conflict, "station_name": self.station_name}


class Conflict(NamedTuple):
    event: str
    kind: str
    station: str
    actor: str
    at: str
    reason: str

    @classmethod
    def of(cls, raw: Mapping[str, object]) -> Conflict:
        return cls(*(_text(raw.get(k)) for k in ("event", "kind", "station", "actor", "at", "reason")))

    def to_json(self) -> JsonObject:
        return self._asdict()


class Rating(NamedTuple):
    level: int | None
    comment: str
    by: str
    station: str
    at: str

    @classmethod
    def of(cls, raw: Mapping[str, object]) -> Rating:
        return cls(_int_or_none(raw.get("level")), *(_text(raw.get(k)) for k in ("comment", "by", "station", "at")))

    def to_json(self) -> JsonObject:
        return self._asdict()


class Callback(NamedTuple):
    note: str
    result: str
    by: str
    station: str
    at: str

    @classmethod
    def of(cls, raw: Mapping[str, object]) -> Callback:
        return cls(*(_text(raw.get(k)) for k in ("note", "result", "by", "station", "at")))

    def to_json(self) -> JsonObject:
        return self._asdict()


class Note(NamedTuple):
    note: str
    by: str
    station: str
    at: str

    @classmethod
    def of(cls, raw: Mapping[str, object]) -> Note:
        return cls(*(_text(raw.get(k)) for k in ("note", "by", "station", "at")))

    def to_json(self) -> JsonObject:
        return self._asdict()


class AttachmentRef(NamedTuple):
    """A scan attached to the case (its bytes are in the station's blob store, by ``sha256``)."""

    material: str | None
    sha256: str | None
    size: int | None
    type: str | None
    name: str | None

    @classmethod
    def of(cls, raw: Mapping[str, object]) -> AttachmentRef:
        material, sha256, kind, name = (_text_or_none(raw.get(k)) for k in ("material", "sha256", "type", "name"))
        return cls(material, sha256, _int_or_none(raw.get("size")), kind, name)

    def to_json(self) -> JsonObject:
        return self._asdict()


class Notice(NamedTuple):
    """One of the city hall's texts to the applicant, as last synced."""

    step: str
    status: str
    at: str
    detail: str | None
    phone: str | None

    @classmethod
    def of(cls, raw: Mapping[str, object]) -> Notice:
        return cls(_text(raw.get("step")), _text(raw.get("status")), _text(raw.get("at")),
                   _text_or_none(raw.get("detail")), _text_or_none(raw.get("phone")))

    def to_json(self) -> JsonObject:
        return self._asdict()


class CaseView(NamedTuple):
    """One case as this station shows it today (DESIGN §7's ``station case --json`` is ``to_json()``)."""

    case_no: str
    status: str
    item: str | None
    item_name: str | None
    item_version: int | None
    origin: str
    origin_name: str
    handler: str
    handler_name: str
    applicant: Applicant
    fields: JsonObject
    """The form's answers by key, as filed."""
    materials: tuple[Material, ...]
    outstanding_materials: tuple[str, ...]
    received_on: str | None
    accepted_on: str | None
    decided_on: str | None
    deadline: str | None
    deadline_note: str | None
    deadline_note_zh: str | None
    warning: WarningLevel | None
    supplement_due: str | None
    supplement_due_note: str | None
    timeline: tuple[TimelineEntry, ...]
    conflicts: tuple[Conflict, ...]
    ratings: tuple[Rating, ...]
    callbacks: tuple[Callback, ...]
    notes: tuple[Note, ...]
    attachments: tuple[AttachmentRef, ...]
    tracking_url: str | None
    notices: tuple[Notice, ...]
    clock: LegalClock

    @property
    def case_no_display(self) -> str:
        return display_case_no(self.case_no)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def material_names(self) -> dict[str, str]:
        return {m.key: m.name for m in self.materials}

    def to_json(self) -> JsonObject:
        shown: JsonObject = {
            "case_no": self.case_no, "case_no_display": self.case_no_display,
            "status": self.status, "status_label": self.status_label,
            "item": self.item, "item_name": self.item_name, "item_version": self.item_version,
            "origin": self.origin, "origin_name": self.origin_name,
            "handler": self.handler, "handler_name": self.handler_name,
            "applicant": self.applicant.to_json(), "fields": dict(self.fields),
            "materials": [m.to_json() for m in self.materials],
            "outstanding_materials": list(self.outstanding_materials),
            "received_on": self.received_on, "accepted_on": self.accepted_on, "decided_on": self.decided_on,
            "deadline": self.deadline, "deadline_note": self.deadline_note, "deadline_note_zh": self.deadline_note_zh,
            "warning": self.warning, "supplement_due": self.supplement_due,
            "supplement_due_note": self.supplement_due_note,
            "timeline": [entry.to_json() for entry in self.timeline],
            "conflicts": [c.to_json() for c in self.conflicts], "ratings": [r.to_json() for r in self.ratings],
            "callbacks": [c.to_json() for c in self.callbacks], "notes": [n.to_json() for n in self.notes],
            "attachments": [a.to_json() for a in self.attachments], "tracking_url": self.tracking_url,
            "notices": [n.to_json() for n in self.notices],
        }
        return shown | clock_json(self.clock)


def case_view(state: CaseState, topology: Topology, calendar: WorkCalendar, today_iso: str,
              tracking_url: str | None = None, notices: Iterable[Mapping[str, object]] = ()) -> CaseView:
    """``notices``: the city hall's texts to the applicant (step, status, at, detail), as last synced."""
    today = date.fromisoformat(today_iso)
    clock = legal_clock(state, calendar, today)
    deadline, due = clock.promised, supplement_due(state, calendar)
    return CaseView(
        case_no=state.case_no, status=state.status, item=_text_or_none(state.item.get("code")),
        item_name=_text_or_none(state.item.get("name")), item_version=_int_or_none(state.item.get("version")),
        origin=state.origin, origin_name=station_name(topology, state.origin),
        handler=state.handler, handler_name=station_name(topology, state.handler),
        applicant=Applicant.of(state.applicant), fields=dict(state.fields),
        materials=tuple(map(Material.of, state.materials)),
        outstanding_materials=tuple(state.outstanding_materials),
        received_on=state.received_on, accepted_on=state.accepted_on, decided_on=state.decided_on,
        deadline=deadline.iso, deadline_note=deadline.note, deadline_note_zh=deadline.note_zh,
        warning=calendar.warning_level(deadline.iso, today) if deadline.iso and state.status in _OPEN else None,
        supplement_due=due.iso, supplement_due_note=due.note,
        timeline=tuple(_entry(entry, topology) for entry in state.timeline),
        conflicts=tuple(map(Conflict.of, state.conflicts)), ratings=tuple(map(Rating.of, state.ratings)),
        callbacks=tuple(map(Callback.of, state.callbacks)), notes=tuple(map(Note.of, state.notes)),
        attachments=tuple(map(AttachmentRef.of, state.attachments)),
        tracking_url=tracking_url, notices=tuple(map(Notice.of, notices)), clock=clock,
    )


def _entry(entry: Mapping[str, object], topology: Topology) -> TimelineEntry:
    station = _text(entry.get("station"))
    data = entry.get("data")
    return TimelineEntry(
        id=_text(entry.get("id")), kind=_text(entry.get("kind")), label=_text(entry.get("label")),
        at=_text(entry.get("at")), station=station, station_name=station_name(topology, station),
        actor=_text(entry.get("actor")), role=_text(entry.get("role")), hlc=_text(entry.get("hlc")),
        data=_json_object(data), conflict=_text_or_none(entry.get("conflict")))


def _json_object(value: object) -> JsonObject:
    """``value`` as a JSON object: event data is JSON the contract has checked (anything else: empty)."""
    if not isinstance(value, dict):
        return {}
    return {str(key): _json(item) for key, item in value.items()}


def _json(value: object) -> JsonValue:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return _json_object(value)
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    return str(value)


def clock_json(clock: LegalClock) -> JsonObject:
    """The legal clock's keys of ``station case --json`` (and of the citizen's page)."""
    paused = clock.paused_now
    return {
        "legal_deadline": clock.legal.iso, "legal_deadline_note_zh": clock.legal.note_zh,
        "promised_warning": clock.promised_warning, "legal_warning": clock.legal_warning,
        "clock_started_on": _iso(clock.started_on), "deemed_accepted": clock.deemed_accepted,
        "acceptance": clock.acceptance.as_dict() if clock.acceptance else None,
        "extension": clock.extension.as_dict() if clock.extension else None,
        "pauses": [pause.as_dict() for pause in clock.pauses],
        "paused": paused.as_dict() if paused else None,
    }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


_OPEN = {"received", "submitted", "needs_supplement", "accepted"}


def promise_note(promise_days: int, instant: bool) -> str:
    """The promised limit in the receipt's words; an on-the-spot item is done the day it is accepted."""
    if instant or promise_days <= 0:
        return "即办件，受理当日办结"
    return f"承诺 {promise_days} 个工作日办结"


def receipt_data(view: CaseView, promise_days: int, agent_name: str, cityhall_name: str, *,
                 instant: bool = False) -> ReceiptData:
    from forms import mask_id_number, mask_name, mask_phone
    from station.receipts import ReceiptData

    applicant = view.applicant
    received = tuple(m.name for m in view.materials if m.status == "received")
    owed = tuple((m.name, view.supplement_due) for m in view.materials if m.status == "deferred")
    received_at = view.timeline[0].at
    return ReceiptData(
        case_no=view.case_no, case_no_display=view.case_no_display, item_name=view.item_name or "",
        applicant_masked=mask_name(applicant.name), id_masked=mask_id_number(applicant.id_number),
        phone_masked=mask_phone(applicant.phone) if applicant.phone else None,
        agent_name=agent_name, station_name=view.origin_name,
        received_at=f"{received_at[:10]} {received_at[11:16]}", materials_received=received,
        materials_owed=owed, deadline=view.deadline,
        deadline_note=None if view.deadline else f"{view.deadline_note_zh}；{promise_note(promise_days, instant)}",
        tracking_url=view.tracking_url or "", cityhall_name=cityhall_name,
    )
