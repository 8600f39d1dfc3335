"""City-wide figures for the staff pages, from the events the hub holds.

Every case is folded from its stored events with the ledger's ``fold``; the digest and
the ranking then reuse the stations' own functions (``station.supervision.watch`` and
``station.reports.station_report``), so a station and the city hall never disagree.
"""
from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from forms import mask_name
from station.ledger import CaseState, Event, fold
from station.reports import RATING_LABELS, Period, StationReport, station_report
from station.supervision import Digest, WatchPolicy, watch
from station.topology import LEVEL_LABELS, Topology
from station.workdays import WorkCalendar

from . import db

_log = logging.getLogger(__name__)
__all__ = ["all_case_states", "StationDigest", "CityDigest", "city_digest", "RankingRow", "ranking",
           "RANKING_COLUMNS", "DIGEST_SECTION_LABELS"]

DIGEST_SECTION_LABELS = {
    "acceptance_past": "超5日未受理（视为受理）", "acceptance_at_risk": "5日受理期限将到",
    "deadlines_past": "已超期限", "deadlines_near": "临近期限", "deadlines_unknown": "期限未知",
    "deferred_past_due": "容缺材料逾期未补", "waiting_acceptance": "等待受理过久", "follow_ups_open": "差评未回访",
}


def all_case_states(engine: Engine, topology: Topology) -> list[CaseState]:
    query = select(db.events.c.case_no, db.events.c.body).order_by(db.events.c.case_no, db.events.c.seq)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    states = []
    for case_no, group in itertools.groupby(rows, key=lambda row: row[0]):
        try:
            state = fold([Event.from_stored(json.loads(body)) for _, body in group], topology)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            _log.warning("case %s cannot be folded, left out of the staff pages: %r", case_no, exc)
            continue
        if state is not None:
            states.append(state)
    return states


# -- the daily digest, per station ---------------------------------------------------

@dataclass(frozen=True)
class StationDigest:
    code: str
    name: str
    counts: dict[str, int]
    entries: tuple[dict[str, Any], ...]
    """Every alert of this station, as shown on the page (applicant masked)."""


@dataclass(frozen=True)
class CityDigest:
    digest: Digest
    stations: tuple[StationDigest, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.digest.day, "counts": self.digest.counts(),
                "stations": [{"code": s.code, "name": s.name, "counts": s.counts, "entries": list(s.entries)}
                             for s in self.stations]}


def city_digest(states: list[CaseState], calendar: WorkCalendar, today: date, topology: Topology,
                policy: WatchPolicy = WatchPolicy()) -> CityDigest:
    """The city-wide digest, each alert filed under the station that must act on it (its handler)."""
    digest = watch(states, calendar, today, None, policy)
    handler_of = {s.case_no: s.handler for s in states}
    grouped: dict[str, list[dict[str, Any]]] = {}
    for section in Digest.SECTIONS:
        for alert in getattr(digest, section):
            entry = _entry(section, alert, today)
            grouped.setdefault(handler_of.get(alert.case_no, ""), []).append(entry)
    stations = [_station_digest(code, entries, topology) for code, entries in grouped.items()]
    return CityDigest(digest, tuple(sorted(stations, key=lambda s: (-sum(s.counts.values()), s.code))))


def _entry(section: str, alert: Any, today: date) -> dict[str, Any]:
    if section == "follow_ups_open":
        return {"section": section, "case_no": alert.case_no, "item_name": alert.item_name, "date": alert.fix_by,
                "workdays": None, "status_label": "", "applicant": "",
                "note": f"{alert.rated_on} 评价为{_level_label(alert.level)}" + (f"：{alert.comment}" if alert.comment else ""),
                "state": alert.state(today)}
    return {"section": section, "case_no": alert.case_no, "item_name": alert.item_name, "date": alert.date,
            "workdays": alert.workdays, "status_label": alert.status_label,
            "applicant": mask_name(alert.applicant_name), "note": alert.note, "state": ""}


def _level_label(level: int) -> str:
    return RATING_LABELS.get(level, str(level))


def _station_digest(code: str, entries: list[dict[str, Any]], topology: Topology) -> StationDigest:
    counts = {section: sum(1 for e in entries if e["section"] == section) for section in Digest.SECTIONS}
    name = topology.get(code).name if code in topology else (topology.cityhall.name if code else "未分配")
    return StationDigest(code, name, counts, tuple(entries))


# -- the ranking of stations ----------------------------------------------------------

RANKING_COLUMNS = (
    ("rank", "名次"), ("code", "站点代码"), ("name", "站点"), ("level_label", "层级"),
    ("received", "收件数"), ("decided", "办结数"), ("on_time_rate", "按期办结率"),
    ("average_workdays", "平均办理工作日"), ("satisfaction_rate", "满意率"), ("follow_up_rate", "差评回访率"),
)
RATE_COLUMNS = frozenset({"on_time_rate", "satisfaction_rate", "follow_up_rate"})


@dataclass(frozen=True)
class RankingRow:
    rank: int
    code: str
    name: str
    level: str
    level_label: str
    received: int
    decided: int
    on_time_rate: float | None
    average_workdays: float | None
    satisfaction_rate: float | None
    follow_up_rate: float | None
    ratings: int
    bad_ratings: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def ranking(states: list[CaseState], calendar: WorkCalendar, period: Period, topology: Topology,
            level: str | None = None) -> list[RankingRow]:
    """Stations with something to count in the period, best first.

    Order: on-time rate, then satisfaction rate, then follow-up rate (a missing rate
    ranks below any number), then cases decided; ties share neither rank nor order
    by chance: the station code settles them.
    """
    by_station = _states_by_station(states)
    reports = [station_report(by_station.get(s.code, []), calendar, period, s.code, s.name)
               for s in topology.stations() if level in (None, s.level)]
    active = [r for r in reports if _active(r)]
    active.sort(key=_sort_key)
    return [_row(rank, report, topology) for rank, report in enumerate(active, start=1)]


def _states_by_station(states: Iterable[CaseState]) -> dict[str, list[CaseState]]:
    index: dict[str, list[CaseState]] = {}
    for state in states:
        for code in {state.origin, *state.handlers}:
            index.setdefault(code, []).append(state)
    return index


def _active(report: StationReport) -> bool:
    figures = report.figures
    return any(figures[key] for key in ("received", "accepted", "decided", "refused", "ratings"))


def _sort_key(report: StationReport) -> tuple[Any, ...]:
    def desc(value: float | int | None) -> tuple[int, float]:
        return (1, 0.0) if value is None else (0, -float(value))
    figures = report.figures
    return (desc(figures["on_time_rate"]), desc(figures["satisfaction_rate"]), desc(figures["follow_up_rate"]),
            desc(figures["decided"]), report.station or "")


def _row(rank: int, report: StationReport, topology: Topology) -> RankingRow:
    figures = report.figures
    station = topology.get(str(report.station))
    return RankingRow(
        rank=rank, code=station.code, name=station.name, level=station.level,
        level_label=LEVEL_LABELS.get(station.level, station.level),
        received=int(figures["received"] or 0), decided=int(figures["decided"] or 0),
        on_time_rate=_float(figures["on_time_rate"]), average_workdays=_float(figures["average_workdays"]),
        satisfaction_rate=_float(figures["satisfaction_rate"]), follow_up_rate=_float(figures["follow_up_rate"]),
        ratings=int(figures["ratings"] or 0), bad_ratings=int(figures["bad_ratings"] or 0),
    )


def _float(value: int | float | None) -> float | None:
    return None if value is None else float(value)
