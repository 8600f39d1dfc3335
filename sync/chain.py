"""Tamper evidence: verify each station's hash chain as the city hall holds it.

Every event a station records carries ``prev``, the digest of the event that station
recorded just before it (``""`` for its first). Sorted by the station's own order (its
hybrid clock, then id), the events must link up one by one. What can be said:

- ``intact``: every event links to the one before it, back to the first.
- ``gap``: an event names a predecessor the city hall has not received yet. Bundles and
  relays reorder deliveries, so this is a wait, not a verdict; it clears when the gap closes.
- ``broken``: proof that the station's history was changed after the fact: an event
  names as predecessor a *different* event the hub holds, two events claim the same
  predecessor, the chain starts twice, or an event was re-sent with other content.

Pure: the hub's store feeds it rows; nothing here does I/O.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["ChainLink", "ChainReport", "verify_chain", "verify_all", "CHAIN_STATUSES"]

CHAIN_STATUSES = ("intact", "gap", "broken")


@dataclass(frozen=True)
class ChainLink:
    """One event of a station's chain: who, which event, its digest, the digest it names before it."""

    station: str
    event_id: str
    digest: str
    prev: str
    hlc: str

    @property
    def order(self) -> tuple[str, str]:
        return (self.hlc, self.event_id)


@dataclass
class ChainReport:
    station: str
    status: str = "intact"
    events: int = 0
    problems: list[str] = field(default_factory=list)
    """One line per finding, naming the event id (what an auditor looks up)."""
    first_bad_event: str | None = None

    def note(self, status: str, event_id: str, problem: str) -> None:
        if CHAIN_STATUSES.index(status) > CHAIN_STATUSES.index(self.status):
            self.status = status
        if status == "broken" and self.first_bad_event is None:
            self.first_bad_event = event_id
        self.problems.append(problem)

    def to_dict(self) -> dict[str, object]:
        return {"station": self.station, "status": self.status, "events": self.events,
                "first_bad_event": self.first_bad_event, "problems": self.problems}


def verify_chain(station: str, links: Iterable[ChainLink], alarms: Iterable[tuple[str, str]] = ()) -> ChainReport:
    """Judge one station's chain; ``alarms`` are (event id, problem) the hub saw at ingest."""
    ordered = sorted(links, key=lambda link: link.order)
    report = ChainReport(station, events=len(ordered))
    for event_id, problem in alarms:
        report.note("broken", event_id, problem)
    _check_forks(ordered, report)
    _walk(ordered, report)
    return report


def _check_forks(ordered: list[ChainLink], report: ChainReport) -> None:
    claims = Counter(link.prev for link in ordered)
    for link in ordered:
        if link.prev and claims[link.prev] > 1:
            report.note("broken", link.event_id,
                        f"event {link.event_id}: another event of this station names the same predecessor "
                        f"{link.prev[:16]}… (history forked: an event was changed or inserted)")
    if claims[""] > 1:
        starts = [link.event_id for link in ordered if not link.prev]
        report.note("broken", starts[1], f"chain starts {claims['']} times (events {', '.join(starts)}): "
                                         "history restarted or rewritten")


def _walk(ordered: list[ChainLink], report: ChainReport) -> None:
    by_digest = {link.digest: link for link in ordered}
    expected = ""
    for index, link in enumerate(ordered):
        if link.prev != expected and link.prev:
            _judge_mismatch(link, ordered[index - 1] if index else None, by_digest, report)
        elif link.prev != expected:
            pass  # a second start; reported with the forks
        expected = link.digest


def _judge_mismatch(link: ChainLink, before: ChainLink | None, by_digest: dict[str, ChainLink],
                    report: ChainReport) -> None:
    named = by_digest.get(link.prev)
    if named is not None:
        report.note("broken", link.event_id,
                    f"event {link.event_id} names event {named.event_id} as its predecessor, but the station "
                    f"recorded {before.event_id if before else 'nothing'} just before it (order rewritten)")
        return
    after = f"after event {before.event_id}" if before else "before the first event received"
    report.note("gap", link.event_id,
                f"waiting for the event with digest {link.prev[:16]}… ({after}, before event {link.event_id}): "
                "not received yet, or removed or changed at the station")


def verify_all(links: Iterable[ChainLink], alarms: Iterable[tuple[str, str, str]] = ()) -> list[ChainReport]:
    """Reports for every station, sorted by code; ``alarms`` are (station, event id, problem)."""
    by_station: dict[str, list[ChainLink]] = {}
    for link in links:
        by_station.setdefault(link.station, []).append(link)
    alarm_map: dict[str, list[tuple[str, str]]] = {}
    for station, event_id, problem in alarms:
        alarm_map.setdefault(station, []).append((event_id, problem))
        by_station.setdefault(station, [])
    return [verify_chain(code, by_station[code], alarm_map.get(code, ())) for code in sorted(by_station)]
