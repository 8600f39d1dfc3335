"""Simulated stations for load and fault runs: real signed events, no station home.

A ``SimStation`` records events the way ``StationService`` does (ULID ids, a hybrid
clock, the ``prev`` hash chain, the envelope of a real intake), signs requests with its
own Ed25519 key and keeps what it pulled, so a run can compare its view with the hub's.
"""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from station.keys import public_key_text
from station.ledger import CaseState, Event, HybridClock, fold, make_case_no, new_event_id
from station.receipts import new_token, token_hash
from station.topology import Topology
from sync.signing import signed_headers
from sync.wire import columns_to_dicts, encode_batch, gunzip_json

__all__ = ["SimStation", "RECEIVED_DATA", "write_topology", "village_codes", "township_of", "push", "pull_all",
           "sim_stations"]

CITY, COUNTY = "420100000000", "420115000000"
CASE_DAY = date(2026, 11, 2)

RECEIVED_DATA: dict[str, Any] = {
    "applicant": {"id_number": "11010519491231002X", "name": "曾𠮷", "phone": "13812345678"},
    "fields": {"age_band": "90-99周岁", "bank_account": "6228480402564890018", "bank_name": "湖北农商银行山坡支行",
               "living_status": "与子女同住", "village_group": "和平村五组"},
    "item": {"code": "420115GF0004", "instant": False, "level": "township", "name": "高龄津贴",
             "promise_days": 10, "version": 2},
    "materials": [
        {"defer_days": None, "deferrable": False, "key": "id_and_hukou", "name": "居民身份证、户口簿",
         "required": True, "status": "received"},
        {"defer_days": None, "deferrable": False, "key": "application_form", "name": "高龄津贴申请表",
         "required": True, "status": "received"},
        {"defer_days": 5, "deferrable": True, "key": "bank_card_copy", "name": "银行卡（惠民惠农一卡通）复印件",
         "required": True, "status": "deferred"}],
    "on_behalf": True,
}
"""The ``data`` of a real 高龄津贴 intake (a township-level item an agent may file)."""


def township_code(index: int) -> str:
    return f"4201151{index:02d}000"


def village_codes(count: int, per_township: int = 200) -> list[str]:
    return [f"4201151{i // per_township:02d}{200 + i % per_township:03d}" for i in range(count)]


def township_of(village: str) -> str:
    return village[:9] + "000"


def write_topology(path: Path, villages: list[str], url: str = "http://127.0.0.1:8700") -> Path:
    """A stations.toml with the city, one county, the villages and their townships."""
    lines = ["[cityhall]", 'name = "压测市政务服务中心"', f'url = "{url}"', f'public_url = "{url}"', f'code = "{CITY}"', "",
             "[[stations]]", f'code = "{CITY}"', 'name = "压测市政务服务中心"', 'level = "city"', "",
             "[[stations]]", f'code = "{COUNTY}"', 'name = "压测区政务服务中心"', 'level = "county"', f'parent = "{CITY}"', ""]
    for town in sorted({township_of(v) for v in villages}):
        lines += ["[[stations]]", f'code = "{town}"', f'name = "镇{town[6:9]}"', 'level = "township"', f'parent = "{COUNTY}"', ""]
    for village in villages:
        lines += ["[[stations]]", f'code = "{village}"', f'name = "村{village[9:]}"', 'level = "village"',
                  f'parent = "{township_of(village)}"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@dataclass
class SimStation:
    code: str
    role: str = "agent"
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    clock: HybridClock = field(default_factory=lambda: HybridClock.restore(None))
    head: str = ""
    serial: int = 0
    recorded: list[Event] = field(default_factory=list)
    pulled: dict[str, Event] = field(default_factory=dict)
    cursor: int = 0
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def public_key(self) -> str:
        return public_key_text(self.key)

    def record(self, case_no: str, kind: str, data: dict[str, Any] | None = None) -> Event:
        hlc = self.clock.tick(int(time.time() * 1000))
        event = Event(id=new_event_id(), case=case_no, kind=kind, hlc=hlc, at="2026-11-02T09:30:00+08:00",
                      station=self.code, actor="A01" if self.role == "agent" else "C01", role=self.role,
                      data=data or {}, prev=self.head)
        self.head = event.digest()
        self.recorded.append(event)
        return event

    def intake(self) -> Event:
        self.serial += 1
        case_no = make_case_no(self.code, CASE_DAY, self.serial)
        token = new_token()
        self.tokens[case_no] = token
        return self.record(case_no, "received", copy.deepcopy(RECEIVED_DATA) | {"token_hash": token_hash(token)})

    def backlog(self, count: int) -> list[Event]:
        """``count`` new events: cases filed and forwarded to the township (the last may stay unforwarded)."""
        made: list[Event] = []
        while len(made) < count:
            made.append(self.intake())
            if len(made) < count:
                made.append(self.record(made[-1].case, "forwarded"))
        return made

    def observe(self, events: list[Event]) -> None:
        for event in events:
            self.pulled[event.id] = event
            self.clock.observe(event.hlc, int(time.time() * 1000))

    def view(self, topology: Topology) -> dict[str, CaseState]:
        """This station's cases, folded from what it recorded and what it pulled."""
        by_case: dict[str, list[Event]] = {}
        for event in [*self.recorded, *self.pulled.values()]:
            by_case.setdefault(event.case, []).append(event)
        states = {case: fold(events, topology) for case, events in by_case.items()}
        return {case: state for case, state in states.items() if state is not None}

    def headers(self, method: str, path: str, body: bytes = b"") -> dict[str, str]:
        headers = signed_headers(self.key, self.code, method, path, body, time.time())
        if body:
            headers |= {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        return headers


def sim_stations(codes: list[str], role: str = "agent") -> list[SimStation]:
    return [SimStation(code, role=role) for code in codes]


async def push(client: Any, station: SimStation, events: list[Event]) -> list[dict[str, Any]]:
    """One signed push through an ``httpx.AsyncClient``; raises on any non-200 answer."""
    body = encode_batch(events)
    response = await client.post("/api/v1/sync/push", content=body,
                                 headers=station.headers("POST", "/api/v1/sync/push", body))
    response.raise_for_status()
    return list(response.json()["results"])


async def pull_page(client: Any, station: SimStation, limit: int = 2000) -> bool:
    path = f"/api/v1/sync/pull?after={station.cursor}&limit={limit}"
    response = await client.get(path, headers=station.headers("GET", path))
    response.raise_for_status()
    payload = response.json() if not response.content.startswith(b"\x1f\x8b") else gunzip_json(response.content)
    station.observe([Event.from_dict(raw) for raw in columns_to_dicts(payload["events"])])
    station.cursor = int(payload["cursor"])
    return bool(payload["more"])


async def pull_all(client: Any, station: SimStation, limit: int = 2000) -> None:
    while await pull_page(client, station, limit):
        pass
