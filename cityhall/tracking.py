"""What the citizen's page shows: progress without identity (DESIGN §6).

Only the item, the masked surname, status, dated steps with station names, materials
still owed and the deadline leave this module: never the ID number, phone, full name,
form fields, operator ids or free-text notes.
"""
from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from forms import mask_name
from forms.jsonvalue import JsonObject, JsonValue
from station.deadlines import ClockPause, Extension, legal_clock, supplement_due
from station.home import CHINA_TZ
from station.ledger import (
    CITIZEN, DECIDED_STATUSES, KIND_LABELS, OPEN_STATUSES, CaseState, Event, HybridClock, display_case_no,
    new_event_id,
)
from station.receipts import token_hash
from station.topology import Topology
from station.workdays import WorkCalendar

__all__ = ["RATING_LABELS", "TrackView", "TrackStep", "track_view", "token_matches", "rating_event", "can_rate"]

RATING_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
_PUBLIC_KINDS = frozenset(KIND_LABELS) - {"noted", "called_back", "attached"}
"""Steps a citizen sees; notes and call-back records may name people, so they stay inside."""


def token_matches(stored_hash: str, token: str) -> bool:
    return bool(stored_hash) and hmac.compare_digest(stored_hash, token_hash(token))


def can_rate(state: CaseState) -> bool:
    return state.status in DECIDED_STATUSES and not any(r["by"] == CITIZEN for r in state.ratings)


@dataclass(frozen=True)
class TrackStep:
    """One dated step as the citizen sees it; ``station`` is 您本人 for the citizen's own steps."""

    kind: str
    label: str
    date: str
    station: str
    materials: tuple[str, ...] | None = None
    """The materials asked for (补正告知 only)."""
    rating: str | None = None
    detail: str | None = None
    """Why the case was extended or suspended: the law requires telling the applicant."""

    def to_json(self) -> JsonObject:
        shown: JsonObject = {"kind": self.kind, "label": self.label, "date": self.date, "station": self.station}
        if self.materials is not None:
            shown["materials"] = list(self.materials)
        if self.rating is not None:
            shown["rating"] = self.rating
        if self.detail is not None:
            shown["detail"] = self.detail
        return shown


@dataclass(frozen=True)
class TrackView:
    """The citizen's page (``/T/...``) and its JSON (``/api/v1/track/...``, DESIGN §7): ``to_json()``."""

    case_no: str
    item: str
    item_code: str
    applicant: str
    """The masked surname only."""
    status: str
    status_label: str
    deadline: str | None
    deadline_note: str | None
    overdue: bool
    outstanding_materials: tuple[str, ...]
    supplement_due: str | None
    timeline: tuple[TrackStep, ...]
    can_rate: bool
    rating: str | None
    """The citizen's own rating in words, once given."""
    legal_deadline: str | None
    legal_overdue: bool
    deemed_accepted: bool
    deemed_from: str | None
    extension: Extension | None
    pauses: tuple[ClockPause, ...]
    """The statutory pauses (听证, 公示 …): never the days waiting for the citizen's own materials."""
    paused: ClockPause | None

    def to_json(self) -> JsonObject:
        shown: JsonObject = {
            "legal_deadline": self.legal_deadline, "legal_overdue": self.legal_overdue,
            "deemed_accepted": self.deemed_accepted, "deemed_from": self.deemed_from,
            "extension": ({"days": self.extension.days, "reason": self.extension.reason, "on": self.extension.on}
                          if self.extension else None),
            "pauses": [{k: p.as_dict()[k] for k in ("reason", "label", "from", "to", "until")} for p in self.pauses],
            "paused": ({"label": self.paused.label, "from": self.paused.start.isoformat(),
                        "until": self.paused.expected_end.isoformat() if self.paused.expected_end else None}
                       if self.paused else None),
        }
        return shown | {
            "case_no": self.case_no, "case_no_display": display_case_no(self.case_no),
            "item": self.item, "item_code": self.item_code, "applicant": self.applicant,
            "status": self.status, "status_label": self.status_label,
            "deadline": self.deadline, "deadline_note": self.deadline_note,
            "overdue": self.overdue, "outstanding_materials": list(self.outstanding_materials),
            "supplement_due": self.supplement_due, "timeline": [step.to_json() for step in self.timeline],
            "can_rate": self.can_rate, "rating": self.rating,
        }


def track_view(state: CaseState, topology: Topology, calendar: WorkCalendar, today: date) -> TrackView:
    clock = legal_clock(state, calendar, today)
    deadline = clock.promised
    is_open = state.status in OPEN_STATUSES
    return TrackView(
        case_no=state.case_no, item=str(state.item.get("name", "")), item_code=str(state.item.get("code", "")),
        applicant=mask_name(str(state.applicant.get("name", ""))),
        status=state.status, status_label=state.status_label,
        deadline=deadline.iso, deadline_note=deadline.note_zh if not deadline.iso else None,
        overdue=bool(deadline.date and is_open and deadline.date < today),
        outstanding_materials=tuple(state.outstanding_materials),
        supplement_due=supplement_due(state, calendar).iso if is_open else None,
        timeline=tuple(_step(entry, topology) for entry in state.timeline
                       if entry["kind"] in _PUBLIC_KINDS and not entry.get("conflict")),
        can_rate=can_rate(state),
        rating=next((_rating_label(r["level"]) for r in state.ratings if r["by"] == CITIZEN), None),
        legal_deadline=clock.legal.iso, legal_overdue=is_open and clock.legal_warning == "overdue",
        deemed_accepted=clock.deemed_accepted,
        deemed_from=clock.started_on.isoformat() if clock.deemed_accepted and clock.started_on else None,
        extension=clock.extension, pauses=tuple(p for p in clock.pauses if p.kind == "statutory"),
        paused=clock.paused_now if is_open else None,
    )


def _step(entry: Mapping[str, object], topology: Topology) -> TrackStep:
    station, kind = str(entry["station"]), str(entry["kind"])
    name = topology.get(station).name if station in topology else topology.cityhall.name
    by_citizen = entry.get("actor") == CITIZEN  # recorded by the city hall for the citizen: theirs, not its
    data = entry.get("data")
    data = data if isinstance(data, dict) else {}
    materials = data.get("materials")
    return TrackStep(
        kind=kind, label=str(entry["label"]), date=str(entry["at"])[:10], station="您本人" if by_citizen else name,
        materials=(tuple(str(m.get("name", "")) if isinstance(m, dict) else str(m) for m in materials)
                   if kind == "supplement_requested" and materials and isinstance(materials, list) else None),
        rating=_rating_label(data.get("level")) if kind == "rated" else None,
        detail=_detail(kind, data) if kind in ("extended", "suspended") else None)


def _rating_label(level: object) -> str:
    return RATING_LABELS.get(level, "") if isinstance(level, int) else ""


def _detail(kind: str, data: Mapping[str, object]) -> str:
    """Why the case was extended or suspended, in the citizen's words."""
    if kind == "extended":
        return f"延长 {data.get('days')} 个工作日：{data.get('reason', '')}"
    return f"{data.get('reason', '')}" + (f"，预计 {data['until']} 结束" if data.get("until") else "")


def rating_event(state: CaseState, level: int, comment: str, topology: Topology, now: datetime,
                 clock: HybridClock) -> Event:
    """The ``rated`` event the city hall records for the citizen; it reaches the origin by pull."""
    now_ms = int(now.timestamp() * 1000)
    moved = HybridClock(clock.physical_ms, clock.counter)
    moved.observe(state.last_hlc, now_ms)
    hlc = moved.tick(now_ms)
    if moved.stamps_valid:  # a case stamped at the clock's top must not stop the hub's one clock for every case
        clock.physical_ms, clock.counter = moved.physical_ms, moved.counter
    data: dict[str, JsonValue] = {"level": level} | ({"comment": comment} if comment else {})
    return Event(id=new_event_id(), case=state.case_no, kind="rated", hlc=hlc,
                 at=now.astimezone(CHINA_TZ).isoformat(timespec="seconds"), station=topology.cityhall.code,
                 actor=CITIZEN, data=data)
