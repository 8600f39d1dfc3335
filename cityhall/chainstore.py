"""The hub's side of tamper evidence: record each station's chain links at ingest, verify on demand.

``record_links`` runs inside the ingest transaction (so a link exists exactly when the
hub answered for its event); ``chain_reports`` reads them back for ``/metrics`` and
``cityhall verify``. The judgement itself is the pure ``sync.chain``.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, insert, select

from station.ledger import Event
from sync.chain import ChainLink, ChainReport, verify_all
from sync.ingest import Answer

from . import db

__all__ = ["record_links", "chain_reports", "CachedChainReports"]

_LINKED = ("accepted", "parked", "rejected")
_LINK_COLUMNS = ("event_id", "station", "digest", "prev", "hlc")


def record_links(conn: Any, events: Sequence[Event], answers: Sequence[Answer], signer: str,
                 hub_code: str, now: float) -> None:
    """Links of the signer's own events answered now; alarms for re-sent events whose content changed."""
    own = [(e, a) for e, a in zip(events, answers, strict=True) if e.station == signer and e.station != hub_code]
    fresh = {e.id: e for e, a in own if a.status in _LINKED}
    db.insert_many(conn, db.chain_links, _LINK_COLUMNS, [(e.id, e.station, e.digest(), e.prev, e.hlc)
                                                        for e in fresh.values()])
    resent = {e.id: e for e, a in own if a.status == "duplicate" and e.id not in fresh}
    if resent:
        _alarm_on_changed(conn, signer, resent, now)


def _alarm_on_changed(conn: Any, signer: str, resent: dict[str, Event], now: float) -> None:
    links, alarms = db.chain_links.c, db.chain_alarms.c
    stored = dict(conn.execute(select(links.event_id, links.digest)
                               .where(links.station == signer, links.event_id.in_(list(resent)))).all())
    known = set(conn.execute(select(alarms.event_id)
                             .where(alarms.station == signer, alarms.event_id.in_(list(resent)))).scalars())
    changed = [e for e in resent.values() if e.id in stored and stored[e.id] != e.digest() and e.id not in known]
    if changed:
        conn.execute(insert(db.chain_alarms), [
            {"event_id": e.id, "station": e.station, "seen_at": now,
             "problem": f"event {e.id} was re-sent with different content (digest {e.digest()[:16]}… "
                        f"instead of {stored[e.id][:16]}…): changed at the station after it was first sent"}
            for e in changed])


def chain_reports(engine: Engine, station: str | None = None) -> list[ChainReport]:
    links_query = select(db.chain_links.c.station, db.chain_links.c.event_id, db.chain_links.c.digest,
                         db.chain_links.c.prev, db.chain_links.c.hlc)
    alarms_query = select(db.chain_alarms.c.station, db.chain_alarms.c.event_id, db.chain_alarms.c.problem)
    if station:
        links_query = links_query.where(db.chain_links.c.station == station)
        alarms_query = alarms_query.where(db.chain_alarms.c.station == station)
    with engine.connect() as conn:
        links = [ChainLink(*row) for row in conn.execute(links_query)]
        alarms = [tuple(row) for row in conn.execute(alarms_query)]
    return verify_all(links, alarms)  # type: ignore[arg-type]


class CachedChainReports:
    """``/metrics`` is scraped often; re-verify every chain at most every ``max_age_s`` seconds."""

    def __init__(self, engine: Engine, max_age_s: float = 15.0) -> None:
        self.engine, self.max_age_s = engine, max_age_s
        self._reports: list[ChainReport] = []
        self._at = float("-inf")
        self._lock = threading.Lock()

    def get(self) -> list[ChainReport]:
        with self._lock:
            if time.monotonic() - self._at > self.max_age_s:
                self._reports, self._at = chain_reports(self.engine), time.monotonic()
            return self._reports
