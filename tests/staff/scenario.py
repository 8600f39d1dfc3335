"""Two villages and their township in November 2026, synced through a real hub.

Item 420115GF0004 (高龄津贴) version 2: decided at the township, 10 working days,
the bank card copy may be deferred for 5 working days. November 2026 has no holidays;
the 2nd is a Monday.

| case | filed at  | what happens                                                            |
|------|-----------|--------------------------------------------------------------------------|
| A1   | VILLAGE   | 11-02 filed, forwarded; 11-03 accepted; 11-05 approved; 11-06 rated 5     |
| A2   | VILLAGE   | 11-02 filed with the bank card deferred (due 11-09), forwarded;           |
|      |           | 11-03 accepted (deadline 11-17); never decided, card never supplied       |
| A3   | VILLAGE   | 11-16 filed, not forwarded                                                |
| B1   | VILLAGE_2 | 11-02 filed, forwarded; 11-03 accepted (deadline 11-17); 11-18 approved   |
|      |           | (late); 11-18 rated 1 (非常不满意), no call-back                            |
| B2   | VILLAGE_2 | 11-04 filed, forwarded; 11-06 accepted (deadline 11-20)                    |

The hub's "today" is 2026-11-20. Hand-computed expectations are in the tests.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from station.home import CHINA_TZ, StationHome
from station.service import IntakeRequest, Operator, StationService, init_station
from sync.client import SyncClient
from tests.support.demo import TOWNSHIP, VILLAGE, VILLAGE_2
from tests.support.hub import INTAKE_FIELDS

ITEM = "420115GF0004"
CORE = ["id_and_hukou", "application_form"]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=CHINA_TZ)

    def __call__(self) -> datetime:
        return self.now

    def on(self, day: str, hour: int = 9) -> None:
        self.now = datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00")


@dataclass
class Site:
    service: StationService
    operator: Operator

    def sync(self) -> None:
        with SyncClient(self.service, give_up_after=10.0) as client:
            client.sync_once()


@dataclass
class City:
    clock: Clock
    sites: dict[str, Site]
    cases: dict[str, str] = field(default_factory=dict)

    def sync(self) -> None:
        for code in (VILLAGE, VILLAGE_2, TOWNSHIP, VILLAGE, VILLAGE_2):
            self.sites[code].sync()

    def close(self) -> None:
        for site in self.sites.values():
            site.service.close()


def open_site(root: Path, code: str, config: Path, clock: Clock, role: str) -> tuple[Site, str]:
    home = StationHome(root / code)
    public_key = init_station(home, code, config)["public_key"]
    service = StationService(home, clock=clock)
    service.add_agent("A01", "王小丽" if role == "agent" else "赵审批", role, "1234")
    return Site(service, Operator("A01", "王小丽" if role == "agent" else "赵审批", role)), public_key


def intake(site: Site, name: str, *, deferred: bool = False) -> str:
    request = IntakeRequest(ITEM, "11010519491231002X", name, fields=dict(INTAKE_FIELDS),
                            received=CORE + ([] if deferred else ["bank_card_copy"]),
                            deferred=["bank_card_copy"] if deferred else [])
    return str(site.service.intake(site.operator, request)["case_no"])


def act(site: Site, case_no: str, kind: str, **options: object) -> None:
    site.service.act(site.operator, case_no, kind, **options)  # type: ignore[arg-type]


def november(city: City) -> None:
    village, village_2, township = (city.sites[c] for c in (VILLAGE, VILLAGE_2, TOWNSHIP))
    cases = city.cases
    city.clock.on("2026-11-02")
    cases["A1"] = intake(village, "曾𠮷")
    cases["A2"] = intake(village, "欧阳娜娜", deferred=True)
    cases["B1"] = intake(village_2, "张三丰")
    for name, site in (("A1", village), ("A2", village), ("B1", village_2)):
        act(site, cases[name], "forwarded")
    city.clock.on("2026-11-04")
    cases["B2"] = intake(village_2, "李𬱖")
    act(village_2, cases["B2"], "forwarded")
    city.sync()
    city.clock.on("2026-11-03", 10)
    for name in ("A1", "A2", "B1"):
        act(township, cases[name], "accepted")
    city.clock.on("2026-11-05", 10)
    act(township, cases["A1"], "approved")
    city.clock.on("2026-11-06", 10)
    act(township, cases["B2"], "accepted")
    city.sync()
    city.clock.on("2026-11-06", 15)
    act(village, cases["A1"], "rated", level=5)
    city.clock.on("2026-11-16")
    cases["A3"] = intake(village, "王五")
    city.clock.on("2026-11-18", 10)
    act(township, cases["B1"], "approved")
    city.sync()
    city.clock.on("2026-11-18", 15)
    act(village_2, cases["B1"], "rated", level=1, reason="等得太久")
    city.sync()
