"""Figures of a station for a period, and their export to XLSX, CSV and JSON.

Each figure is dated by its own event, so a case received in March and decided in April
counts as received in March and decided in April:

- ``received``: cases whose ``received_on`` falls in the period;
- ``accepted``: cases whose (latest) acceptance falls in the period;
- ``decided``: cases approved or denied in the period; ``refused`` (不予受理) separately;
- ``on_time``: decided cases whose decision day is on or before the promised deadline;
- ``average_workdays``: working days from acceptance to decision, over decided cases;
- deferred materials (容缺): the cases received in the period with deferred materials,
  by what became of the promise so far: supplied, voided, still owed;
- ratings given in the period: satisfaction = ratings of 4 or 5 ÷ all ratings;
- bad ratings given in the period and how many have had a call-back (follow-up rate).

A case belongs to a station's report when the station received it or has handled it.
Rates are ``None`` when nothing was there to count (no division by zero, no fake 100 %).
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from station.deadlines import legal_clock
from station.filewrite import replacing
from station.ledger import STATUS_LABELS, CaseState
from station.supervision import FollowUp, concerns, follow_ups
from station.workdays import CalendarUnknown, WorkCalendar

__all__ = [
    "Period", "CaseLine", "StationReport", "RATING_LABELS", "FIGURE_LABELS",
    "case_line", "station_report", "write_xlsx", "write_csv", "report_json",
]

RATING_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
_DECIDED_ON_MERITS = frozenset({"approved", "denied", "delivered"})

FIGURE_LABELS = {
    "received": "收件数",
    "accepted": "受理数",
    "decided": "办结数（准予或不予批准）",
    "refused": "不予受理数",
    "decided_with_deadline": "有承诺期限的办结数",
    "on_time": "按期办结数",
    "on_time_rate": "按期办结率",
    "average_workdays": "受理至办结平均工作日",
    "deferred_cases": "容缺受理案件数",
    "deferred_supplied": "容缺材料按承诺补齐",
    "deferred_voided": "容缺逾期作废",
    "deferred_owed": "容缺材料尚待补交",
    "deferred_honoured_rate": "容缺承诺兑现率",
    "ratings": "评价总数",
    "satisfied": "满意评价数（满意、非常满意）",
    "satisfaction_rate": "满意率",
    "bad_ratings": "差评数",
    "followed_up": "差评已回访数",
    "follow_up_rate": "差评回访率",
    "deemed_accepted": "视为受理数（5 个工作日内未答复）",
    "legal_overdue": "超过法定时限办结数",
}
"""Every figure of a report, in the order shown, with its label for people."""
_RATES = frozenset({"on_time_rate", "deferred_honoured_rate", "satisfaction_rate", "follow_up_rate"})


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    def contains(self, iso_day: str | None) -> bool:
        return bool(iso_day) and self.start.isoformat() <= str(iso_day)[:10] <= self.end.isoformat()


@dataclass(frozen=True)
class CaseLine:
    """One case as the report sees it: a row of the cases sheet."""

    case_no: str
    item_code: str
    item_name: str
    status: str
    status_label: str
    origin: str
    handler: str
    received_on: str
    accepted_on: str | None
    decided_on: str | None
    deadline: str | None
    on_time: bool | None
    """None when not decided on the merits or the deadline is unknown."""
    workdays_to_decision: int | None
    deferred_outcome: str | None
    """``supplied``, ``voided``, ``owed`` or ``dropped`` (withdrawn etc.); None without 容缺."""
    ratings: tuple[tuple[int, str], ...]
    """(level, day rated) for every rating of the case."""
    follow_ups: tuple[FollowUp, ...]
    legal_deadline: str | None = None
    deemed_accepted: bool = False
    """Not answered within 5 working days of arrival: its clock started on arrival (Art. 32)."""
    clock_started_on: str | None = None


def case_line(state: CaseState, calendar: WorkCalendar, fix_workdays: int = 5, as_of: date | None = None) -> CaseLine:
    clock = legal_clock(state, calendar, as_of or date.min)
    deadline = clock.promised
    decided = state.status in _DECIDED_ON_MERITS and state.decided_on is not None
    return CaseLine(
        case_no=state.case_no, item_code=str(state.item.get("code", "")), item_name=str(state.item.get("name", "")),
        status=state.status, status_label=STATUS_LABELS[state.status], origin=state.origin, handler=state.handler,
        received_on=state.received_on, accepted_on=state.accepted_on, decided_on=state.decided_on,
        deadline=deadline.iso,
        on_time=(str(state.decided_on) <= deadline.iso) if decided and deadline.iso else None,
        workdays_to_decision=_workdays_to_decision(state, calendar) if decided else None,
        deferred_outcome=_deferred_outcome(state),
        ratings=tuple((int(r["level"]), str(r["at"])[:10]) for r in state.ratings),
        follow_ups=tuple(follow_ups(state, calendar, fix_workdays)),
        legal_deadline=clock.legal.iso, deemed_accepted=clock.deemed_accepted,
        clock_started_on=clock.started_on.isoformat() if clock.started_on else None,
    )


def _workdays_to_decision(state: CaseState, calendar: WorkCalendar) -> int | None:
    if not state.accepted_on or not state.decided_on:
        return None
    try:
        return calendar.workdays_between(date.fromisoformat(state.accepted_on), date.fromisoformat(state.decided_on))
    except CalendarUnknown:
        return None


def _deferred_outcome(state: CaseState) -> str | None:
    """What became of the 容缺 promise made at intake (read from the intake's timeline entry)."""
    intake = state.timeline[0]["data"].get("materials") if state.timeline else None
    if not isinstance(intake, list) or not any(isinstance(m, dict) and m.get("status") == "deferred" for m in intake):
        return None
    if state.status == "voided":
        return "voided"
    if not state.deferred:
        return "supplied"
    return "owed" if state.status not in ("withdrawn",) else "dropped"


@dataclass(frozen=True)
class StationReport:
    station: str | None
    station_name: str
    period: Period
    figures: dict[str, int | float | None]
    """Keyed as :data:`FIGURE_LABELS`."""
    ratings_by_level: dict[int, int]
    cases: tuple[CaseLine, ...]


def station_report(states: Iterable[CaseState], calendar: WorkCalendar, period: Period,
                   station: str | None = None, station_name: str = "", fix_workdays: int = 5) -> StationReport:
    lines = [case_line(s, calendar, fix_workdays, period.end) for s in states if concerns(s, station)]
    in_period = [line for line in lines if _touches(line, period)]
    levels = [level for line in lines for level, day in line.ratings if period.contains(day)]
    figures = (_flow_figures(lines, period) | _deferred_figures(lines, period) | _rating_figures(lines, levels, period)
               | _clock_figures(lines, period))
    by_level = {level: levels.count(level) for level in RATING_LABELS}
    return StationReport(station, station_name, period, figures, by_level, tuple(in_period))


def _touches(line: CaseLine, period: Period) -> bool:
    days = [line.received_on, line.accepted_on, line.decided_on, *(day for _, day in line.ratings)]
    return any(period.contains(day) for day in days)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _flow_figures(lines: list[CaseLine], period: Period) -> dict[str, int | float | None]:
    decided = [line for line in lines if line.status in _DECIDED_ON_MERITS and period.contains(line.decided_on)]
    timed = [line for line in decided if line.on_time is not None]
    on_time = sum(1 for line in timed if line.on_time)
    spans = [line.workdays_to_decision for line in decided if line.workdays_to_decision is not None]
    return {
        "received": sum(1 for line in lines if period.contains(line.received_on)),
        "accepted": sum(1 for line in lines if period.contains(line.accepted_on)),
        "decided": len(decided),
        "refused": sum(1 for line in lines if line.status == "refused" and period.contains(line.decided_on)),
        "decided_with_deadline": len(timed),
        "on_time": on_time,
        "on_time_rate": _rate(on_time, len(timed)),
        "average_workdays": round(sum(spans) / len(spans), 2) if spans else None,
    }


def _clock_figures(lines: list[CaseLine], period: Period) -> dict[str, int | float | None]:
    decided = [line for line in lines if line.status in _DECIDED_ON_MERITS and period.contains(line.decided_on)]
    return {
        "deemed_accepted": sum(1 for line in lines if line.deemed_accepted and period.contains(line.clock_started_on)),
        "legal_overdue": sum(1 for line in decided
                             if line.legal_deadline and str(line.decided_on) > line.legal_deadline),
    }


def _deferred_figures(lines: list[CaseLine], period: Period) -> dict[str, int | float | None]:
    outcomes = [line.deferred_outcome for line in lines
                if line.deferred_outcome and period.contains(line.received_on)]
    supplied, voided = outcomes.count("supplied"), outcomes.count("voided")
    return {
        "deferred_cases": len(outcomes),
        "deferred_supplied": supplied,
        "deferred_voided": voided,
        "deferred_owed": outcomes.count("owed"),
        "deferred_honoured_rate": _rate(supplied, supplied + voided),
    }


def _rating_figures(lines: list[CaseLine], levels: list[int], period: Period) -> dict[str, int | float | None]:
    satisfied = sum(1 for level in levels if level >= 4)
    bad = [f for line in lines for f in line.follow_ups if period.contains(f.rated_on)]
    followed = sum(1 for f in bad if f.closed)
    return {
        "ratings": len(levels),
        "satisfied": satisfied,
        "satisfaction_rate": _rate(satisfied, len(levels)),
        "bad_ratings": len(bad),
        "followed_up": followed,
        "follow_up_rate": _rate(followed, len(bad)),
    }


# -- export ---------------------------------------------------------------------------

_CASE_COLUMNS = (
    ("case_no", "案件编号"), ("item_name", "事项"), ("status_label", "状态"), ("origin", "收件站"),
    ("handler", "经办站"), ("received_on", "收件日期"), ("accepted_on", "受理日期"), ("decided_on", "办结日期"),
    ("deadline", "承诺期限"), ("on_time", "按期"), ("workdays_to_decision", "用时（工作日）"),
    ("deferred_outcome", "容缺结果"), ("ratings", "评价"), ("follow_ups", "差评回访"),
    ("legal_deadline", "法定期限"), ("deemed_accepted", "视为受理"),
)
_OUTCOME_LABELS = {"supplied": "已补齐", "voided": "逾期作废", "owed": "待补交", "dropped": "已撤回"}


def _figure_rows(report: StationReport) -> list[tuple[str, str, int | float | None]]:
    rows = [(key, FIGURE_LABELS[key], report.figures[key]) for key in FIGURE_LABELS]
    rows += [(f"rating_{level}", f"评价：{label}", report.ratings_by_level[level])
             for level, label in RATING_LABELS.items()]
    return rows


def _case_cells(line: CaseLine) -> list[Any]:
    closed = sum(1 for f in line.follow_ups if f.closed)
    cells = {
        **{key: getattr(line, key) for key, _ in _CASE_COLUMNS[:10]},
        "on_time": {True: "是", False: "否", None: ""}[line.on_time],
        "workdays_to_decision": line.workdays_to_decision,
        "deferred_outcome": _OUTCOME_LABELS.get(line.deferred_outcome or "", ""),
        "ratings": "、".join(RATING_LABELS[level] for level, _ in line.ratings),
        "follow_ups": f"{closed}/{len(line.follow_ups)}" if line.follow_ups else "",
        "legal_deadline": line.legal_deadline, "deemed_accepted": "是" if line.deemed_accepted else "",
    }
    return [cells[key] for key, _ in _CASE_COLUMNS]


def _heading(report: StationReport) -> str:
    return f"{report.station_name or report.station or '全部站点'}  {report.period.start} 至 {report.period.end}"


def write_xlsx(report: StationReport, path: Path) -> None:
    """Two sheets: 统计 (figures, rates formatted as percentages) and 案件 (one row a case)."""
    from openpyxl import Workbook  # loaded only when a workbook is asked for

    book = Workbook()
    figures = book.active
    figures.title = "统计"
    figures.append([_heading(report)])
    figures.append(["指标", "代码", "数值"])
    for key, label, value in _figure_rows(report):
        figures.append([label, key, value])
        if key in _RATES and value is not None:
            figures.cell(row=figures.max_row, column=3).number_format = "0.0%"
    figures.column_dimensions["A"].width = 34
    cases = book.create_sheet("案件")
    cases.append([label for _, label in _CASE_COLUMNS])
    for line in report.cases:
        cases.append(_case_cells(line))
    cases.column_dimensions["A"].width = 28
    with replacing(path) as temporary:
        book.save(temporary)


def write_csv(report: StationReport, path: Path) -> None:
    """The figures, one a row; UTF-8 with a BOM so that Excel reads the Chinese labels."""
    with replacing(path) as temporary, temporary.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["指标", "代码", "数值"])
        for key, label, value in _figure_rows(report):
            writer.writerow([label, key, "" if value is None else value])


def report_json(report: StationReport) -> dict[str, Any]:
    return {
        "station": report.station, "station_name": report.station_name,
        "from": report.period.start.isoformat(), "to": report.period.end.isoformat(),
        "figures": dict(report.figures),
        "ratings_by_level": {str(level): count for level, count in report.ratings_by_level.items()},
        "cases": [json.loads(json.dumps(asdict(line), default=str)) for line in report.cases],
    }
