"""What the citizen's page shows: progress without identity (DESIGN §6).

Only the item, the masked surname, status, dated steps with station names, materials
still owed and the deadline leave this module: never the ID number, phone, full name,
form fields, operator ids or free-text notes.
"""
from __future__ import annotations

import hmac
from datetime import date, datetime
from typing import Any

from forms import mask_name
from station.deadlines import LegalClock, legal_clock, supplement_due
from station.home import CHINA_TZ
from station.ledger import (
    CITIZEN, DECIDED_STATUSES, KIND_LABELS, OPEN_STATUSES, CaseState, Event, HybridClock, display_case_no,
    new_event_id,
)
from station.receipts import token_hash
from station.topology import Topology
from station.workdays import WorkCalendar

__all__ = ["RATING_LABELS", "track_view", "token_matches", "rating_event", "can_rate"]

RATING_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
_PUBLIC_KINDS = frozenset(KIND_LABELS) - {"noted", "called_back", "attached"}
"""Steps a citizen sees; notes and call-back records may name people, so they stay inside."""


def token_matches(stored_hash: str, token: str) -> bool:
    return bool(stored_hash) and hmac.compare_digest(stored_hash, token_hash(token))


def can_rate(state: CaseState) -> bool:
    return state.status in DECIDED_STATUSES and not any(r["by"] == CITIZEN for r in state.ratings)


def track_view(state: CaseState, topology: Topology, calendar: WorkCalendar, today: date) -> dict[str, Any]:
    clock = legal_clock(state, calendar, today)
    deadline = clock.promised
    overdue = bool(deadline.date and state.status in OPEN_STATUSES and deadline.date < today)
    return _public_clock(clock, state.status in OPEN_STATUSES) | {
        "case_no": state.case_no, "case_no_display": display_case_no(state.case_no),
        "item": state.item.get("name", ""), "item_code": state.item.get("code", ""),
        "applicant": mask_name(str(state.applicant.get("name", ""))),
        "status": state.status, "status_label": state.status_label,
        "deadline": deadline.iso, "deadline_note": deadline.note_zh if not deadline.iso else None,
        "overdue": overdue, "outstanding_materials": state.outstanding_materials,
        "supplement_due": supplement_due(state, calendar).iso if state.status in OPEN_STATUSES else None,
        "timeline": [_step(entry, topology) for entry in state.timeline
                     if entry["kind"] in _PUBLIC_KINDS and not entry.get("conflict")],
        "can_rate": can_rate(state),
        "rating": next((RATING_LABELS.get(r["level"], "") for r in state.ratings if r["by"] == CITIZEN), None),
    }


def _public_clock(clock: LegalClock, is_open: bool) -> dict[str, Any]:
    """Both limits, 视为受理, the extension and the statutory pauses, as the citizen sees them."""
    paused = clock.paused_now if is_open else None
    extension = clock.extension
    return {
        "legal_deadline": clock.legal.iso, "legal_overdue": is_open and clock.legal_warning == "overdue",
        "deemed_accepted": clock.deemed_accepted,
        "deemed_from": clock.started_on.isoformat() if clock.deemed_accepted and clock.started_on else None,
        "extension": {k: extension[k] for k in ("days", "reason", "on")} if extension else None,
        "pauses": [{k: p.as_dict()[k] for k in ("reason", "label", "from", "to", "until")}
                   for p in clock.pauses if p.kind == "statutory"],
        "paused": {"label": paused.label, "from": paused.start.isoformat(),
                   "until": paused.expected_end.isoformat() if paused.expected_end else None} if paused else None,
    }


def _step(entry: dict[str, Any], topology: Topology) -> dict[str, Any]:
    station = entry["station"]
    name = topology.get(station).name if station in topology else topology.cityhall.name
    by_citizen = entry.get("actor") == CITIZEN  # recorded by the city hall for the citizen: theirs, not its
    step = {"kind": entry["kind"], "label": entry["label"], "date": entry["at"][:10],
            "station": "您本人" if by_citizen else name}
    materials = entry.get("data", {}).get("materials")
    if entry["kind"] == "supplement_requested" and materials:
        step["materials"] = [m.get("name", "") if isinstance(m, dict) else str(m) for m in materials]
    if entry["kind"] == "rated":
        step["rating"] = RATING_LABELS.get(entry.get("data", {}).get("level"), "")
    if entry["kind"] in ("extended", "suspended"):  # the law requires telling the applicant why
        data = entry.get("data", {})
        step["detail"] = (f"延长 {data.get('days')} 个工作日：{data.get('reason', '')}" if entry["kind"] == "extended"
                          else f"{data.get('reason', '')}" + (f"，预计 {data['until']} 结束" if data.get("until") else ""))
    return step


def rating_event(state: CaseState, level: int, comment: str, topology: Topology, now: datetime,
                 clock: HybridClock) -> Event:
    """The ``rated`` event the city hall records for the citizen; it reaches the origin by pull."""
    now_ms = int(now.timestamp() * 1000)
    clock.observe(state.last_hlc, now_ms)
    data: dict[str, Any] = {"level": level} | ({"comment": comment} if comment else {})
    return Event(id=new_event_id(), case=state.case_no, kind="rated", hlc=clock.tick(now_ms),
                 at=now.astimezone(CHINA_TZ).isoformat(timespec="seconds"), station=topology.cityhall.code,
                 actor=CITIZEN, data=data)
