"""Plain dictionaries of a case for output: the JSON of ``station case`` and the app's screens."""
from __future__ import annotations

from datetime import date
from typing import Any

from forms import mask_id_number, mask_name, mask_phone
from station.deadlines import LegalClock, legal_clock, supplement_due
from station.ledger import STATUS_LABELS, CaseState, display_case_no
from station.receipts import ReceiptData
from station.topology import Topology
from station.workdays import WorkCalendar

__all__ = ["case_view", "clock_view", "station_name", "receipt_data", "NOTICE_STEP_LABELS", "NOTICE_STATUS_LABELS"]

NOTICE_STEP_LABELS = {"received": "收件", "supplement_requested": "补正告知", "accepted": "受理", "decided": "办结结果",
                      "deferred_due": "容缺到期提醒", "voided": "作废", "rate_invite": "邀请评价",
                "extended": "延期办理", "suspended": "暂停计时", "resumed": "恢复计时"}
"""The city hall's text messages (办件短信) by step, as the station shows them."""
NOTICE_STATUS_LABELS = {"queued": "待发送", "sending": "发送中", "sent": "已发送", "failed": "发送失败", "skipped": "未发送"}


def station_name(topology: Topology, code: str) -> str:
    return topology.get(code).name if code in topology else code


def case_view(state: CaseState, topology: Topology, calendar: WorkCalendar, today_iso: str,
              tracking_url: str | None = None, notices: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``notices``: the city hall's texts to the applicant (step, status, at, detail), as last synced."""
    clock = legal_clock(state, calendar, _date(today_iso))
    deadline, due = clock.promised, supplement_due(state, calendar)
    return {
        "case_no": state.case_no, "case_no_display": display_case_no(state.case_no),
        "status": state.status, "status_label": STATUS_LABELS[state.status],
        "item": state.item.get("code"), "item_name": state.item.get("name"), "item_version": state.item.get("version"),
        "origin": state.origin, "origin_name": station_name(topology, state.origin),
        "handler": state.handler, "handler_name": station_name(topology, state.handler),
        "applicant": dict(state.applicant), "fields": dict(state.fields), "materials": state.materials,
        "outstanding_materials": state.outstanding_materials,
        "received_on": state.received_on, "accepted_on": state.accepted_on, "decided_on": state.decided_on,
        "deadline": deadline.iso, "deadline_note": deadline.note, "deadline_note_zh": deadline.note_zh,
        "warning": calendar.warning_level(deadline.iso, _date(today_iso)) if deadline.iso and state.status in _OPEN else None,
        "supplement_due": due.iso, "supplement_due_note": due.note,
        "timeline": [entry | {"station_name": station_name(topology, entry["station"])} for entry in state.timeline],
        "conflicts": state.conflicts, "ratings": state.ratings, "callbacks": state.callbacks,
        "notes": state.notes, "attachments": state.attachments, "tracking_url": tracking_url,
        "notices": list(notices or []),
    } | clock_view(clock)


def clock_view(clock: LegalClock) -> dict[str, Any]:
    """The legal clock's keys of ``station case --json`` (and of the citizen's page)."""
    paused = clock.paused_now
    return {
        "legal_deadline": clock.legal.iso, "legal_deadline_note_zh": clock.legal.note_zh,
        "promised_warning": clock.promised_warning, "legal_warning": clock.legal_warning,
        "clock_started_on": _iso(clock.started_on), "deemed_accepted": clock.deemed_accepted,
        "acceptance": clock.acceptance.as_dict() if clock.acceptance else None,
        "extension": clock.extension, "pauses": [pause.as_dict() for pause in clock.pauses],
        "paused": paused.as_dict() if paused else None,
    }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


_OPEN = {"received", "submitted", "needs_supplement", "accepted"}


def _date(text: str) -> date:
    return date.fromisoformat(text)


def promise_note(promise_days: int, instant: bool) -> str:
    """The promised limit in the receipt's words; an on-the-spot item is done the day it is accepted."""
    if instant or promise_days <= 0:
        return "即办件，受理当日办结"
    return f"承诺 {promise_days} 个工作日办结"


def receipt_data(view: dict[str, Any], promise_days: int, agent_name: str, cityhall_name: str, *,
                 instant: bool = False) -> ReceiptData:
    applicant = view["applicant"]
    received = tuple(m["name"] for m in view["materials"] if m["status"] == "received")
    owed = tuple((m["name"], view["supplement_due"]) for m in view["materials"] if m["status"] == "deferred")
    received_at = view["timeline"][0]["at"]
    return ReceiptData(
        case_no=view["case_no"], case_no_display=view["case_no_display"], item_name=view["item_name"],
        applicant_masked=mask_name(applicant["name"]), id_masked=mask_id_number(applicant["id_number"]),
        phone_masked=mask_phone(applicant["phone"]) if applicant.get("phone") else None,
        agent_name=agent_name, station_name=view["origin_name"],
        received_at=f"{received_at[:10]} {received_at[11:16]}", materials_received=received,
        materials_owed=owed, deadline=view["deadline"],
        deadline_note=None if view["deadline"] else f"{view['deadline_note_zh']}；{promise_note(promise_days, instant)}",
        tracking_url=view["tracking_url"], cityhall_name=cityhall_name,
    )

