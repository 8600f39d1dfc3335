"""Realistic events without a station: what a village pushes (a received then a forwarded per case)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import date

from station.ledger import Event, format_hlc, make_case_no, new_event_id
from tests.support.hub import INTAKE_FIELDS

_MATERIALS = [
    {"key": "id_and_hukou", "name": "居民身份证、户口簿", "required": True, "deferrable": False, "defer_days": None, "status": "received"},
    {"key": "application_form", "name": "高龄津贴申请表", "required": True, "deferrable": False, "defer_days": None, "status": "received"},
    {"key": "collector_id", "name": "代领人居民身份证（家属代领的）", "required": False, "deferrable": False,
     "defer_days": None, "status": "missing"},
    {"key": "bank_card_copy", "name": "银行卡（惠民惠农一卡通）复印件", "required": True, "deferrable": True,
     "defer_days": 5, "status": "deferred"},
]
__all__ = ["sample_events"]

_ITEM = {"code": "420115GF0004", "version": 2, "name": "高龄津贴", "level": "township", "promise_days": 10, "instant": False}


def sample_events(count: int, station: str = "420115102203", start_ms: int = 1_795_300_000_000) -> list[Event]:
    events: list[Event] = []
    prev = ""
    for index in range(count):
        case_no = make_case_no(station, date(2026, 11, 22), index // 2 + 1)
        if index % 2 == 0:
            kind = "received"
            data = {"item": _ITEM, "applicant": {"id_number": "11010519491231002X", "name": "曾𠮷", "phone": None},
                    "fields": dict(INTAKE_FIELDS), "materials": _MATERIALS, "on_behalf": True,
                    "token_hash": hashlib.sha256(secrets.token_bytes(10)).hexdigest()}
        else:
            kind, data = "forwarded", {}
        ms = start_ms + index * 37_000
        event = Event(id=new_event_id(), case=case_no, kind=kind, hlc=format_hlc(ms, 0),
                      at=f"2026-11-22T{9 + index * 37 // 3600 % 9:02d}:{index * 37 // 60 % 60:02d}:00+08:00",
                      station=station, actor="A01", role="agent", data=data, prev=prev)
        prev = event.digest()
        events.append(event)
    return events
