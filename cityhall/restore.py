"""What a station's new PC needs to carry on where the hub's copy ends.

Asked by ``GET /api/v1/sync/restore`` (``cityhall/routes/restore.py``), signed like pull by
the station's newly enrolled key. Pages, by ``seq``, through every event the hub holds
of the cases this station can see and every event the station recorded itself; the first
page (``after=0``) also says where the station stands:

- ``feed_cursor``: the station's pull cursor as of now (later events reach it by pull);
- ``chain_tip``: the last link of its hash chain the hub holds (accepted, parked or
  refused alike), whose digest the new PC's next event must name as ``prev``;
- ``case_numbers``: every case number of this station the hub knows (stored, parked,
  refused after parking), so no daily serial is ever issued twice.
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, func, or_, select, union

from sync.chain import ChainLink

from . import db
from .store import bounded_page

__all__ = ["restore_page", "station_standing"]


def restore_page(engine: Engine, station: str, after: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
    """Events after ``after`` (by seq) of the station's own and visible cases; (events, cursor, more)."""
    visible = select(db.cases.c.case_no).where(db.may_see(station))
    query = (select(db.events.c.seq, db.events.c.body)
             .where(db.events.c.seq > after, or_(db.events.c.station == station, db.events.c.case_no.in_(visible)))
             .order_by(db.events.c.seq).limit(limit + 1))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    page = bounded_page(rows, limit)
    return [json.loads(body) for _, body in page], page[-1][0] if page else after, len(rows) > len(page)


def station_standing(engine: Engine, station: str) -> dict[str, Any]:
    """The station's pull cursor, the tip of its hash chain and its case numbers the hub knows."""
    with engine.connect() as conn:
        cursor = conn.execute(select(func.max(db.feed.c.fseq)).where(db.feed.c.station == station)).scalar()
        links = [ChainLink(*row) for row in conn.execute(
            select(db.chain_links.c.station, db.chain_links.c.event_id, db.chain_links.c.digest,
                   db.chain_links.c.prev, db.chain_links.c.hlc).where(db.chain_links.c.station == station))]
        numbers = sorted(conn.execute(union(
            select(db.cases.c.case_no).where(db.cases.c.origin == station),
            select(db.parked.c.case_no).where(db.parked.c.case_no.like(f"{station}%")),
            select(db.rejections.c.case_no).where(db.rejections.c.case_no.like(f"{station}%")))).scalars())
        tip = max(links, key=lambda link: link.order) if links else None
        tip_event = _event_summary(conn, station, tip.event_id) if tip else None
    return {"feed_cursor": int(cursor or 0), "case_numbers": numbers, "chain_events": len(links),
            "chain_tip": None if tip is None else {"event_id": tip.event_id, "digest": tip.digest, "hlc": tip.hlc,
                                                    **(tip_event or {"held": False})}}


def _event_summary(conn: Any, station: str, event_id: str) -> dict[str, Any] | None:
    """The tip event as people name it; None when the hub kept only its link (it refused the event)."""
    body = conn.execute(select(db.events.c.body).where(db.events.c.station == station,
                                                       db.events.c.id == event_id)).scalar()
    if body is None:
        body = conn.execute(select(db.parked.c.body).where(db.parked.c.station == station,
                                                           db.parked.c.id == event_id)).scalar()
    if body is None:
        return None
    event = json.loads(body)
    return {"held": True, "case_no": event["case"], "kind": event["kind"], "at": event["at"]}
