"""A village and its township working real cases through the service layer, at set times.

Shared by the report, supervision and document tests. Every step goes through
``StationService.intake``/``act`` with a fixed clock, and events cross between the two
homes the way a sync would (``apply_events`` of the other side's events).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from forms import builtin_catalogue
from station.home import CHINA_TZ, StationHome
from station.service import IntakeRequest, Operator, StationService, init_station
from tests.support.demo import DEMO_TOPOLOGY_FILE, TOWNSHIP, VILLAGE

ALLOWANCE = "420115GF0004"
"""高龄津贴: decided at the township, 10 working days, deferrable bank_card_copy (5 days)."""
CORE_MATERIALS = ["id_and_hukou", "application_form"]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=CHINA_TZ)

    def __call__(self) -> datetime:
        return self.now


class Casebook:
    """Two station homes sharing one clock; ``on(day)`` moves the clock, minutes tick per step."""

    def __init__(self, root: Path) -> None:
        self.clock = Clock()
        self.village = _service(root, VILLAGE, self.clock)
        self.township = _service(root, TOWNSHIP, self.clock)
        self.village.add_agent("A01", "王小丽", "agent", "1234")
        self.township.add_agent("C01", "李窗口", "clerk", "2345")
        self.township.add_agent("P01", "赵审批", "approver", "3456")
        self.agent = Operator("A01", "王小丽", "agent")
        self.clerk = Operator("C01", "李窗口", "clerk")
        self.approver = Operator("P01", "赵审批", "approver")

    def on(self, day: str, hour: int = 9) -> Casebook:
        self.clock.now = datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00")
        return self

    def _tick(self) -> None:
        self.clock.now = self.clock.now.replace(minute=(self.clock.now.minute + 1) % 60)

    def intake(self, day: str, *, deferred: bool, name: str = "曾𠮷") -> str:
        self.on(day)
        received = CORE_MATERIALS + ([] if deferred else ["bank_card_copy"])
        request = IntakeRequest(item_code=ALLOWANCE, applicant_id="11010519491231002X", applicant_name=name,
                                phone="13812345678", fields=example_fields(ALLOWANCE), received=received,
                                deferred=["bank_card_copy"] if deferred else [])
        return str(self.village.intake(self.agent, request)["case_no"])

    def at_village(self, case_no: str, kind: str, **options: object) -> None:
        self._tick()
        self.village.act(self.agent, case_no, kind, **options)  # type: ignore[arg-type]
        self.sync(case_no)

    def at_township(self, case_no: str, kind: str, *, approver: bool = False, **options: object) -> None:
        self._tick()
        self.township.act(self.approver if approver else self.clerk, case_no, kind, **options)  # type: ignore[arg-type]
        self.sync(case_no)

    def forward(self, case_no: str) -> None:
        self.at_village(case_no, "forwarded")

    def sync(self, case_no: str) -> None:
        self.township.apply_events(self.village.store.case_events(case_no))
        self.village.apply_events(self.township.store.case_events(case_no))

    def close(self) -> None:
        self.village.close()
        self.township.close()


def _service(root: Path, code: str, clock: Clock) -> StationService:
    home = StationHome(root / code)
    init_station(home, code, DEMO_TOPOLOGY_FILE)
    return StationService(home, clock=clock)


def example_fields(item_code: str) -> dict[str, str]:
    item = builtin_catalogue().get(item_code)
    return {f.key: f.example for f in item.fields if f.required}


def november(book: Casebook) -> dict[str, str]:
    """The hand-computed fixture of tests/reports/test_reports_figures.py; returns case numbers by letter.

    Deadlines (10 wd after acceptance) and 容缺 due dates (5 wd after intake), November 2026
    having no holiday: A 11-03 → 11-17, due 11-09; B 11-03 → 11-17; C due 11-10;
    E 11-06 → 11-20, due 11-12; F 11-02 → 11-16; H 11-12 → 11-26.
    """
    cases: dict[str, str] = {}
    cases["F"] = book.intake("2026-10-30", deferred=False)  # received in October
    book.forward(cases["F"])
    book.on("2026-11-02").at_township(cases["F"], "accepted")
    book.on("2026-11-05").at_township(cases["F"], "approved", approver=True)  # 3 wd, on time

    cases["A"] = book.intake("2026-11-02", deferred=True)
    book.forward(cases["A"])
    cases["B"] = book.intake("2026-11-02", deferred=False)
    book.forward(cases["B"])
    book.on("2026-11-03").at_township(cases["A"], "accepted")
    book.at_township(cases["B"], "accepted")
    cases["C"] = book.intake("2026-11-03", deferred=True)
    book.forward(cases["C"])
    cases["D"] = book.intake("2026-11-04", deferred=False)
    book.forward(cases["D"])
    book.on("2026-11-04").at_township(cases["C"], "accepted")
    book.on("2026-11-05").at_village(cases["A"], "supplemented", materials=["bank_card_copy"])
    book.at_township(cases["D"], "refused", reason="申请人未满80周岁，不符合申请条件")
    cases["E"] = book.intake("2026-11-05", deferred=True)
    book.at_village(cases["E"], "rated", level=4)  # 一次一评 at the counter
    book.forward(cases["E"])
    book.on("2026-11-06").at_township(cases["E"], "accepted")
    book.at_village(cases["D"], "rated", level=1, reason="跑了两趟才知道不符合条件")
    book.on("2026-11-11").at_township(cases["C"], "voided", reason="容缺材料逾期未补")
    cases["H"] = book.intake("2026-11-12", deferred=False)
    book.forward(cases["H"])
    book.at_township(cases["H"], "accepted")
    book.on("2026-11-16").at_township(cases["A"], "approved", approver=True)  # 9 wd, on time
    book.on("2026-11-18").at_village(cases["A"], "rated", level=5)
    cases["G"] = book.intake("2026-11-18", deferred=False)
    book.forward(cases["G"])  # and never accepted
    book.on("2026-11-20").at_township(cases["B"], "approved", approver=True)  # 13 wd, late
    book.on("2026-11-23").at_village(cases["B"], "rated", level=2, reason="等得太久")
    book.on("2026-11-24").at_village(cases["B"], "called_back", reason="已电话回访，解释原因并致歉")
    book.on("2026-11-25", hour=8)
    return cases
