"""The notification outbox: storing drafts once, claiming them atomically, recording answers.

A draft becomes a row keyed on (case, step). Rows made at ingest are written in the same
transaction as the events, so a batch re-pushed, a retry after a timeout, two workers or
a restart can never make a second row; rows made by the periodic scan rely on the same
key (``INSERT … ON CONFLICT DO NOTHING``). A row is sent by whoever wins the
``UPDATE … WHERE status = 'queued'`` that claims it.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, bindparam, exists, func, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from station.home import CHINA_TZ
from station.ledger import new_event_id
from station.receipts import new_token, token_hash, tracking_url

from .config import NotifyConfig
from .steps import NoticeDraft, phone_problem
from cityhall import db

from .tables import notices, sms_links, sms_opt_outs

__all__ = ["NOTICE_STATUSES", "ClaimedNotice", "store_drafts", "claim_next", "finish", "list_notices",
           "status_counts", "opt_out", "opted_out", "release_stale_claims", "mask_phone", "claims_since",
           "notices_for_station", "claim_batch", "requeue"]

NOTICE_STATUSES = ("queued", "sending", "sent", "failed", "skipped")
OPTED_OUT = "申请人选择不再接收短信"


@dataclass(frozen=True)
class ClaimedNotice:
    id: str
    case_no: str
    step: str
    phone: str
    template: str
    params: dict[str, str]


def _insert_ignoring_duplicates(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """``INSERT … ON CONFLICT DO NOTHING`` of rows with the same keys, as one driver ``executemany``.

    Compiled once per dialect and column set (like ``db.insert_many``): through
    ``conn.execute`` SQLAlchemy's per-row parameter handling cost the ingest more than the insert.
    """
    if not rows:
        return
    sql, order = _compiled_insert_ignoring(conn.dialect, table, tuple(rows[0]))
    params: list[Any] = [tuple(row[name] for name in order) for row in rows] if order else rows
    conn.exec_driver_sql(sql, params)


@functools.lru_cache(maxsize=16)
def _compiled_insert_ignoring(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    flavour = postgresql if dialect.name == "postgresql" else sqlite
    statement = flavour.insert(table).values({name: bindparam(name) for name in columns}).on_conflict_do_nothing()
    compiled = statement.compile(dialect=dialect)
    return compiled.string, tuple(compiled.positiontup or ())


def store_drafts(conn: Connection, drafts: Sequence[NoticeDraft], config: NotifyConfig, public_url: str,
                 now: float, station_opt_outs: Iterable[str] = ()) -> int:
    """Queue (or record as skipped) each draft whose case and step has no row yet; returns rows added."""
    if not drafts:
        return 0
    _insert_ignoring_duplicates(conn, sms_opt_outs, [{"case_no": c, "source": "station", "at": now}
                                                     for c in sorted(set(station_opt_outs))])
    keys = {(d.case_no, d.step) for d in drafts}
    seen: set[tuple[str, str]] = {(case_no, step) for case_no, step in conn.execute(
        select(notices.c.case_no, notices.c.step).where(tuple_(notices.c.case_no, notices.c.step).in_(sorted(keys))))}
    refused = opted_out(conn, {d.case_no for d in drafts})
    rows, links = [], []
    for draft in drafts:
        if (draft.case_no, draft.step) in seen:
            continue
        seen.add((draft.case_no, draft.step))
        why_not = _why_not(draft, config, refused)
        url = ""
        if draft.needs_link and why_not is None:
            link = new_token()
            links.append({"token_hash": token_hash(link), "case_no": draft.case_no, "made_at": now})
            url = tracking_url(public_url, draft.case_no, link)
        rows.append(_row(draft, config, now, why_not, url))
    _insert_ignoring_duplicates(conn, sms_links, links)
    _insert_ignoring_duplicates(conn, notices, rows)
    return len(rows)


def _why_not(draft: NoticeDraft, config: NotifyConfig, refused: set[str]) -> str | None:
    """Why this text will not be sent (it is kept as ``skipped`` with the reason); None to queue it."""
    if draft.case_no in refused:
        return OPTED_OUT
    if not config.templates.get(draft.step):
        return phone_problem(draft.phone) or f"未配置“{draft.step}”步骤的短信模板"
    return phone_problem(draft.phone)


def _row(draft: NoticeDraft, config: NotifyConfig, now: float, why_not: str | None, url: str) -> dict[str, Any]:
    params = draft.params | ({"url": url} if draft.needs_link else {})
    return {"id": new_event_id(), "case_no": draft.case_no, "step": draft.step, "event_id": draft.event_id,
            "position": draft.position, "phone": draft.phone, "template": config.templates.get(draft.step, ""),
            "params": json.dumps(params, ensure_ascii=False), "status": "skipped" if why_not else "queued",
            "detail": why_not or "", "attempts": 0, "created_at": now, "claimed_at": None,
            "done_at": now if why_not else None}


def opted_out(conn: Connection, case_nos: Iterable[str]) -> set[str]:
    wanted = sorted(set(case_nos))
    if not wanted:
        return set()
    return set(conn.execute(select(sms_opt_outs.c.case_no).where(sms_opt_outs.c.case_no.in_(wanted))).scalars())


def opt_out(engine: Engine, case_no: str, source: str, now: float) -> int:
    """Record that the case's applicant wants no more texts; texts still waiting become skipped."""
    with engine.begin() as conn:
        _insert_ignoring_duplicates(conn, sms_opt_outs, [{"case_no": case_no, "source": source, "at": now}])
        return conn.execute(update(notices).where(notices.c.case_no == case_no, notices.c.status == "queued")
                            .values(status="skipped", detail=OPTED_OUT, done_at=now)).rowcount


def release_stale_claims(engine: Engine, now: float, lease_s: float) -> int:
    """Texts claimed by a process that died before it recorded the answer go back in the queue."""
    with engine.begin() as conn:
        return conn.execute(update(notices).where(notices.c.status == "sending", notices.c.claimed_at < now - lease_s)
                            .values(status="queued")).rowcount


def claims_since(engine: Engine, since: float) -> int:
    """Texts handed (or being handed) to the provider since ``since``: what the rate cap counts."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(notices)
                                .where(notices.c.claimed_at >= since)).scalar() or 0)


def claim_next(engine: Engine, now: float) -> ClaimedNotice | None:
    """Claim the oldest queued text whose case has no text in flight; None when nothing is waiting."""
    claimed = claim_batch(engine, now, 1)
    return claimed[0] if claimed else None


def claim_batch(engine: Engine, now: float, limit: int) -> list[ClaimedNotice]:
    """Claim up to ``limit`` of the oldest queued texts, at most one per case, in one transaction.

    A case's texts go out one after another in the order they were made: a text waits
    while an older one of its case is queued or in flight. Each row is won by the one
    ``UPDATE … WHERE status = 'queued'`` that changes it, whoever else is claiming.
    """
    busy = notices.alias("busy")
    in_flight = exists().where(busy.c.case_no == notices.c.case_no, busy.c.status == "sending")
    earlier = notices.alias("earlier")
    waits_behind = exists().where(earlier.c.case_no == notices.c.case_no, earlier.c.status == "queued",
                                  or_(earlier.c.created_at < notices.c.created_at,
                                      and_(earlier.c.created_at == notices.c.created_at,
                                           earlier.c.position < notices.c.position)))
    candidates = (select(notices.c.id).where(notices.c.status == "queued", ~in_flight, ~waits_behind)
                  .order_by(notices.c.created_at, notices.c.position).limit(limit))
    claimed: list[ClaimedNotice] = []
    with engine.begin() as conn:
        for notice_id in conn.execute(candidates).scalars().all():
            won = conn.execute(update(notices).where(notices.c.id == notice_id, notices.c.status == "queued")
                               .values(status="sending", claimed_at=now)).rowcount
            if won:
                row = conn.execute(select(notices).where(notices.c.id == notice_id)).one()
                claimed.append(ClaimedNotice(row.id, row.case_no, row.step, row.phone or "", row.template,
                                             json.loads(row.params)))
    return claimed


def requeue(engine: Engine, notice_ids: list[str]) -> None:
    """Put claimed texts back in the queue untouched (the sender is stopping)."""
    if notice_ids:
        with engine.begin() as conn:
            conn.execute(update(notices).where(notices.c.id.in_(notice_ids), notices.c.status == "sending")
                         .values(status="queued", claimed_at=None))


def finish(engine: Engine, notice_id: str, status: str, detail: str, attempts: int, now: float) -> None:
    """Record the provider's answer; the one-off tracking link is blanked out of the stored parameters."""
    with engine.begin() as conn:
        params = json.loads(conn.execute(select(notices.c.params).where(notices.c.id == notice_id)).scalar_one())
        if params.get("url"):
            params["url"] = params["url"].rsplit("/", 1)[0] + "/****************"
        conn.execute(update(notices).where(notices.c.id == notice_id, notices.c.status == "sending")
                     .values(status=status, detail=detail[:1000], attempts=attempts, done_at=now,
                             params=json.dumps(params, ensure_ascii=False)))


def mask_phone(phone: str | None) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 7 else ""


def list_notices(engine: Engine, case_no: str | None = None, status: str | None = None,
                 limit: int = 10_000) -> list[dict[str, Any]]:
    query = select(notices).order_by(notices.c.created_at, notices.c.position, notices.c.id).limit(limit)
    if case_no:
        query = query.where(notices.c.case_no == case_no)
    if status:
        query = query.where(notices.c.status == status)
    with engine.connect() as conn:
        return [_public(row) for row in conn.execute(query)]


def _public(row: Any) -> dict[str, Any]:
    at = row.done_at or row.created_at
    return {"case_no": row.case_no, "step": row.step, "status": row.status,
            "at": datetime.fromtimestamp(at, timezone.utc).astimezone(CHINA_TZ).isoformat(timespec="seconds"),
            "detail": row.detail, "template": row.template, "phone": mask_phone(row.phone),
            "attempts": row.attempts, "params": json.loads(row.params)}


def status_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        found: dict[str, int] = {status: int(n) for status, n in conn.execute(
            select(notices.c.status, func.count()).group_by(notices.c.status))}
    return {status: int(found.get(status, 0)) for status in NOTICE_STATUSES}




def notices_for_station(engine: Engine, station: str, after: tuple[float, str], limit: int
                        ) -> tuple[list[dict[str, Any]], tuple[float, str], bool]:
    """Texts of the cases ``station`` may see, changed after the cursor (when, id); the next cursor and "more"."""
    changed = func.coalesce(notices.c.done_at, notices.c.claimed_at, notices.c.created_at)
    since, last_id = after
    query = (select(notices, changed.label("changed"))
             .join(db.cases, and_(db.cases.c.case_no == notices.c.case_no, db.may_see(station)))
             .where(or_(changed > since, and_(changed == since, notices.c.id > last_id)))
             .order_by(changed, notices.c.id).limit(limit + 1))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    page = rows[:limit]
    cursor = (page[-1].changed, page[-1].id) if page else after
    return [_public(row) for row in page], cursor, len(rows) > limit
