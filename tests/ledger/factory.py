"""Build ledger events by hand for tests, with increasing HLC stamps."""
from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from station.ledger import Event, format_hlc, make_case_no, new_event_id

CASE = make_case_no("420115102203", date(2026, 11, 2), 1)
ITEM = {"code": "HOMESTEAD", "version": 1, "name": "农村宅基地和建房申请", "level": "township",
        "promise_days": 10, "instant": False}
_ticks = count(1)


def event(kind: str, station: str, role: str = "agent", data: dict[str, Any] | None = None,
          day: str = "2026-11-02", actor: str = "A01", case: str = CASE) -> Event:
    return Event(id=new_event_id(), case=case, kind=kind, hlc=format_hlc(1_790_000_000_000 + next(_ticks), 0),
                 at=f"{day}T09:00:00+08:00", station=station, actor=actor, role=role, data=data or {})


def received(station: str = "420115102203", deferred: bool = True, **kw: Any) -> Event:
    materials = [{"key": "form", "name": "申请表", "status": "received"},
                 {"key": "minutes", "name": "村民小组会议纪要", "status": "deferred" if deferred else "received",
                  "defer_days": 5}]
    data = {"item": ITEM, "applicant": {"id_number": "11010519491231002X", "name": "曾𠮷", "phone": None},
            "fields": {"area": 120}, "materials": materials, "token_hash": "x"}
    kw.setdefault("case", make_case_no(station, date(2026, 11, 2), 1))  # a case number carries its origin
    return event("received", station, data=data, **kw)
