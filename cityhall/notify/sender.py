"""The background sender: quiet hours, a per-minute cap, back-off with jitter, time-based steps.

One sender runs in each hub process; several on one database are safe because a text is
sent only by the process whose claim (``UPDATE … WHERE status = 'queued'``) won. A
process killed mid-send leaves its claim, which goes back in the queue after the lease:
the provider then gets the same notice id again (webhook ``id``, Alibaba ``OutId``,
Tencent ``SessionContext``) and can tell it is a repeat.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from tenacity import (
    RetryError, Retrying, retry_if_exception_type, stop_after_attempt, stop_when_event_set, wait_exponential_jitter,
)

from cityhall import db
from station.home import CHINA_TZ
from station.ledger import Event, EventFormatError, fold
from station.topology import Topology
from station.workdays import WorkCalendar

from .config import NotifyConfig
from .outbox import claim_batch, claims_since, finish, release_stale_claims, requeue, store_drafts
from .providers import Provider, SendRefused, SendRetryable
from .steps import NoticeDraft, deferred_due_draft, rate_invite_draft
from .tables import notices

__all__ = ["NoticeSender", "scan_time_steps"]

log = logging.getLogger("cityhall.notify")
Clock = Callable[[], datetime]
LEASE_S = 300.0
"""A claim older than this belongs to a dead process (one send, retries included, takes far less)."""
_MAX_WAIT_S = 60.0
_CLAIM_AT_ONCE = 20
"""Texts claimed in one transaction: one commit for many, few enough that a dying process strands little."""
_SCANNED_STATUSES = ("received", "submitted", "needs_supplement", "accepted", "approved", "denied", "delivered")


def china_now() -> datetime:
    return datetime.now(CHINA_TZ)


class NoticeSender:
    def __init__(self, engine: Engine, config: NotifyConfig, provider: Provider, topology: Topology,
                 calendar: Callable[[], WorkCalendar], clock: Clock = china_now, idle_s: float = 1.0) -> None:
        self.engine, self.config, self.provider, self.topology = engine, config, provider, topology
        self.calendar, self.clock, self.idle_s = calendar, clock, idle_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_scan: datetime | None = None

    # -- one round ------------------------------------------------------------------

    def run_once(self) -> int:
        """Look for due time-based steps (when a scan is due), then send what quiet hours and the cap allow."""
        now = self.clock()
        if self._last_scan is None or now - self._last_scan >= timedelta(seconds=self.config.scan_every_s):
            scan_time_steps(self.engine, self.config, self.topology, self.calendar(), now)
            self._last_scan = now
        if self.quiet(now):
            return 0
        release_stale_claims(self.engine, now.timestamp(), LEASE_S)
        sent = 0
        while not self._stop.is_set():
            room = min(self._room(self.clock()), _CLAIM_AT_ONCE)
            claimed = claim_batch(self.engine, self.clock().timestamp(), room) if room > 0 else []
            if not claimed:
                break
            for index, notice in enumerate(claimed):
                if self._stop.is_set():  # shutting down: what was not tried yet waits for the next process
                    requeue(self.engine, [n.id for n in claimed[index:]])
                    return sent
                status, detail, attempts = self._deliver(notice)
                if status == "queued":
                    requeue(self.engine, [notice.id])
                    continue
                finish(self.engine, notice.id, status, detail, attempts, self.clock().timestamp())
                sent += 1
        return sent

    def quiet(self, now: datetime) -> bool:
        hours = self.config.quiet_hours
        return hours is not None and hours.contains(now.astimezone(CHINA_TZ).time())

    def _room(self, now: datetime) -> int:
        return self.config.rate_per_minute - claims_since(self.engine, now.timestamp() - 60.0)

    def _deliver(self, notice: Any) -> tuple[str, str, int]:
        """Hand one text over with back-off and jitter; returns (status, provider's answer, attempts)."""
        retrying = Retrying(stop=stop_after_attempt(self.config.retries) | stop_when_event_set(self._stop),
                            wait=wait_exponential_jitter(multiplier=self.config.retry_wait_s, max=_MAX_WAIT_S),
                            retry=retry_if_exception_type(SendRetryable), reraise=False, sleep=self._sleep)
        try:
            receipt = retrying(self.provider.send, notice)
        except RetryError as exc:
            if self._stop.is_set():
                return "queued", "", 0  # interrupted by shutdown, not given up on
            cause = exc.last_attempt.exception()
            return "failed", f"重试 {self.config.retries} 次仍未成功：{cause}", self.config.retries
        except SendRefused as exc:
            return "failed", f"短信平台拒绝：{exc}", retrying.statistics.get("attempt_number", 1)
        except Exception as exc:  # noqa: BLE001 - a provider bug must not kill the sender thread
            log.exception("sending notice %s failed", notice.id)
            return "failed", f"{type(exc).__name__}: {exc}", retrying.statistics.get("attempt_number", 1)
        return "sent", receipt, retrying.statistics.get("attempt_number", 1)

    def _sleep(self, seconds: float) -> None:
        self._stop.wait(seconds)

    # -- the thread -----------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="notice-sender", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - a database hiccup: log it and try again next round
                log.exception("notice sender round failed")
            self._stop.wait(self.idle_s)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(15)
        self.provider.close()


def scan_time_steps(engine: Engine, config: NotifyConfig, topology: Topology, calendar: WorkCalendar,
                    now: datetime) -> int:
    """Queue the deferred-material reminders and rating invitations that have fallen due (each once)."""
    today = now.astimezone(CHINA_TZ).date()
    drafts: list[NoticeDraft] = []
    for state in _scanned_cases(engine, topology):
        for draft in (deferred_due_draft(state, calendar, today), rate_invite_draft(state, calendar, today)):
            if draft is not None:
                drafts.append(draft)
    if not drafts:
        return 0
    with engine.begin() as conn:
        return store_drafts(conn, drafts, config, topology.cityhall.public_url, now.timestamp())


def _scanned_cases(engine: Engine, topology: Topology) -> list[Any]:
    """Cases that texts were kept for (a ``received`` notice exists) still lacking a reminder or an invite."""
    texted = select(notices.c.case_no).where(notices.c.step == "received")
    finished = select(notices.c.case_no).where(notices.c.step == "rate_invite")
    query = (select(db.cases.c.case_no).where(db.cases.c.status.in_(_SCANNED_STATUSES),
                                              db.cases.c.case_no.in_(texted), db.cases.c.case_no.not_in(finished)))
    states = []
    with engine.connect() as conn:
        for case_no in conn.execute(query).scalars().all():
            bodies = conn.execute(select(db.events.c.body).where(db.events.c.case_no == case_no)).scalars()
            try:
                state = fold([Event.from_dict(json.loads(body)) for body in bodies], topology)
            except (EventFormatError, ValueError, KeyError, TypeError):  # one unreadable case never stops the rest
                log.exception("case %s skipped by the reminder scan", case_no)
                continue
            if state is not None:
                states.append(state)
    return states

