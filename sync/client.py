"""The station side: drain the outbox to the city hall, relay carried bundles, pull by cursor.

Requests go through a ``HubSession`` (sync/session.py): signed at the hub's time as best we
know it, retried with back-off until ``give_up_after`` seconds have passed; then
``Unreachable`` (exit 5) and the queue stays as it was. Events are marked pushed only from
the hub's answer, which the hub sends after its commit; so a crash on either side at any
moment at worst re-sends events, which the hub answers as duplicates.
"""
from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from functools import partial
from typing import Any

import httpx

from station.relay_queue import refused_folder, relay_folder
from station.errors import BadInput, NotAllowed, StationError
from station.ledger import Event, EventFormatError
from station.service import StationService

from .adaptive import AdaptiveBatch
from .notices import fetch_notices
from .publications import fetch_publications
from .session import (CITYHALL_URL_ENV, CONTACT_META, OFFSET_META, HubSession, OverHubSession, RetryableAnswer,
                      reason_of)
from .wire import columns_to_dicts, encode_push_stored

_log = logging.getLogger(__name__)

__all__ = ["SyncClient", "SyncReport", "AdaptiveBatch", "relay_dir", "CITYHALL_URL_ENV", "OFFSET_META",
           "CONTACT_META", "CURSOR_META"]

CURSOR_META = "pull_cursor"
PIPELINE = 2
"""Push batches in flight at once: the hub stores one while the next is on its way."""
PULL_PAGE = 2000
_UNREACHABLE = "连不上市政务服务中心（{url}）：{problem}。待上传的记录都保留在本机，联网后会自动补传"


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    rejected: int = 0
    pending: int = 0
    clock_offset_s: float = 0.0
    relayed_bundles: int = 0
    refused_bundles: int = 0
    """Carried bundles the city hall refused this round: moved to ``relay/refused`` (kept), not sent again."""
    duplicates: int = 0
    parked: int = 0
    newly_rejected: int = 0
    publications: int = 0
    """Item definitions and calendars received from the city hall this round."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def relay_dir(service: StationService) -> Path:
    """Bundles imported from other stations, waiting to be relayed upward byte for byte."""
    return relay_folder(service.home.root)


class _TooLarge(BadInput):
    """413: the hub wants smaller batches."""


class SyncClient(OverHubSession):
    def __init__(self, service: StationService, base_url: str | None = None, *,
                 transport: httpx.BaseTransport | None = None, give_up_after: float = 30.0,
                 batch: AdaptiveBatch | None = None, wall_clock: Callable[[], float] = time.time,
                 backoff_cap_s: float = 8.0) -> None:
        self.service, self.store = service, service.store
        self.batch = batch or AdaptiveBatch()
        self.session = HubSession(service, base_url, refusal=_refusal, unreachable=_UNREACHABLE,
                                  transport=transport, give_up_after=give_up_after, wall_clock=wall_clock,
                                  backoff_cap_s=backoff_cap_s, backoff_step_s=0.5)

    # -- the one call a command or the loop makes ----------------------------------

    def sync_once(self) -> SyncReport:
        """Relay carried bundles, push everything pending, then pull until caught up."""
        self.session.start_round()
        report = SyncReport()
        self.relay_bundles(report)
        self.push_pending(report)
        report.pulled = self.pull_all()
        report.publications = fetch_publications(self).received
        fetch_notices(self)
        counts = self.service.outbox_counts()
        report.rejected, report.pending = counts["rejected"], counts["pending"]
        report.clock_offset_s = round(self.session.offset_s, 3)
        return report

    # -- push ---------------------------------------------------------------------

    def push_pending(self, report: SyncReport) -> None:
        """Push the whole outbox, ``PIPELINE`` batches in flight: the next batch is read, encoded
        and sent while the hub stores the one before. A failure re-reads what is still pending."""
        with ThreadPoolExecutor(max_workers=PIPELINE, thread_name_prefix="push") as sender:
            self._retrying(lambda: self._push_pipelined(sender, report))

    def _push_pipelined(self, sender: ThreadPoolExecutor, report: SyncReport) -> None:
        in_flight: deque[tuple[list[str], int, Future[tuple[Any, float]]]] = deque()
        cursor = 0
        try:
            while True:
                while len(in_flight) < PIPELINE:
                    texts, cursor = self.store.pending_texts_after(cursor, self.batch.size)
                    if not texts:
                        break
                    push = encode_push_stored(texts)
                    in_flight.append((push.ids, cursor, sender.submit(self._send_batch, push.body)))
                if not in_flight:
                    return
                ids, read_through, answer = in_flight.popleft()
                body, elapsed = answer.result()
                # the batches are answered in the order they were read: every one up to here is
                self._record_answers(_answers(ids, body), report, answered_through=read_through)
                self.batch.after_success(len(ids), elapsed)
        finally:  # after a failure, what the hub answered for the batches still in flight is kept
            for ids, _, answer in in_flight:
                if answer.exception() is None and len(answer.result()[0].get("statuses", ())) == len(ids):
                    self._record_answers(_answers(ids, answer.result()[0]), report)

    def _send_batch(self, body: bytes) -> tuple[Any, float]:
        """One push (in a sender thread): the hub's answer and the seconds it took."""
        started = time.monotonic()
        try:
            response = self._signed("POST", "/api/v1/sync/push?answers=compact", body)
        except httpx.TimeoutException:
            self.batch.shrink()
            raise
        except _TooLarge as refused:
            self.batch.shrink()
            raise RetryableAnswer("413") from refused
        return response.json(), time.monotonic() - started

    def _record_answers(self, results: list[dict[str, Any]], report: SyncReport,
                        answered_through: int | None = None) -> None:
        marks: list[tuple[str, str, str | None]] = []
        for answer in results:
            status = answer["status"]
            if status == "rejected":
                marks.append((answer["id"], "rejected", answer.get("reason")))
                report.newly_rejected += 1
                continue
            marks.append((answer["id"], "pushed", None))
            report.pushed += 1
            report.duplicates += status == "duplicate"
            report.parked += status == "parked"
        self.store.mark_outbox_many(marks, answered_through)  # one durable commit for the whole answer

    # -- bundles carried for other stations ------------------------------------------

    def relay_bundles(self, report: SyncReport) -> None:
        """Each carried bundle up, byte for byte; one the hub refuses (4xx) is set aside, kept, and counted."""
        folder = relay_dir(self.service)
        for path in sorted(folder.glob("*.bundle")) if folder.is_dir() else []:
            refused = self._retrying(partial(self._relay_one, path.read_bytes()))
            if refused is None:
                path.unlink()  # the hub answered after its commit: the origin's events are safe there
                report.relayed_bundles += 1
            else:
                _set_aside(self.service, path, refused)
                report.refused_bundles += 1

    def _relay_one(self, body: bytes) -> str | None:
        """None when the hub took the bundle; its reason when it refused this one file.

        A 401 or 403 is about this station (its key, a revocation), not the file: raised as such.
        """
        response = self.session.request("POST", "/api/v1/sync/bundle", body, _content_type(body))
        if 400 <= response.status_code < 500 and response.status_code not in (401, 403, 429):
            return f"HTTP {response.status_code}：{reason_of(response)}"
        self.session.raise_for_status(response)
        return None

    # -- pull ---------------------------------------------------------------------

    def pull_all(self) -> int:
        applied = 0
        while True:
            cursor = int(self.store.get_meta(CURSOR_META, "0") or 0)
            page = self.get_json(f"/api/v1/sync/pull?after={cursor}&limit={PULL_PAGE}")
            events = _checked(columns_to_dicts(page["events"]), cursor)
            with self.store.write():  # events and the cursor move together
                applied += self.service.apply_events(events)
                self.store.set_meta(CURSOR_META, str(page["cursor"]))
            if not page["more"]:
                return applied

    # -- requests through the session ---------------------------------------------------

    def get_json(self, path: str) -> Any:
        """A signed GET's JSON answer, retried until the round's deadline."""
        return self._retrying(lambda: self._signed("GET", path).json())

    def _signed(self, method: str, path: str, body: bytes = b"", skew_retry: bool = True) -> httpx.Response:
        return self.session.signed(method, path, body, _content_type(body) if body else None, skew_retry=skew_retry)

    def _retrying(self, attempt: Callable[[], Any]) -> Any:
        return self.session.retrying(attempt)


def _set_aside(service: StationService, path: Path, reason: str) -> None:
    """The refused file into ``refused/`` with the hub's reason beside it (``NAME.json``)."""
    folder = refused_folder(service.home.root)
    folder.mkdir(parents=True, exist_ok=True)
    note = {"file": path.name, "reason": reason, "at": service.now().isoformat(timespec="seconds")}
    (folder / f"{path.name}.json").write_text(json.dumps(note, ensure_ascii=False), "utf-8")
    path.replace(folder / path.name)
    _log.warning("the city hall refused the carried bundle %s (%s): set aside in %s", path.name, reason, folder)


def _content_type(body: bytes) -> dict[str, str]:
    """A push goes as zstd; relayed bundles keep the gzip they were written in."""
    encoding = "zstd" if body[:4] == b"\x28\xb5\x2f\xfd" else "gzip"
    return {"Content-Type": "application/json", "Content-Encoding": encoding}


def _checked(rows: list[dict[str, Any]], cursor: int) -> list[Event]:
    """The page's events that keep the contract; one that does not is logged and passed over,
    so the cursor moves on and the station keeps receiving everything else."""
    events = []
    for raw in rows:
        try:
            events.append(Event.from_dict(raw))
        except EventFormatError as exc:
            _log.warning("pulled event %r after cursor %d breaks the event contract, skipped: %s",
                         str(raw.get("id"))[:64], cursor, exc)
    return events


def _answers(ids: list[str], body: dict[str, Any]) -> list[dict[str, Any]]:
    """The compact answer (statuses in request order) as per-event answers."""
    statuses, reasons = body["statuses"], body.get("reasons", {})
    if len(statuses) != len(ids):
        raise RetryableAnswer("answer does not match the batch")
    return [{"id": i, "status": s, "reason": reasons.get(str(n))} for n, (i, s) in enumerate(zip(ids, statuses, strict=True))]


def _refusal(status: int, reason: str) -> StationError:
    if status == 401 and reason == "revoked":
        return NotAllowed("市政务服务中心已吊销本机的密钥（revoked：这台电脑已报失或停用），本机不能再同步。"
                          "记录都还在本机；如果吊销有误，请联系市政务服务中心")
    if status == 401:
        return NotAllowed(f"市政务服务中心不认可本站的签名：{reason}。请确认本站公钥已登记（cityhall enroll 站点代码 公钥）")
    if status == 403:
        return NotAllowed(f"市政务服务中心拒绝了本站的请求：{reason}")
    refused = _TooLarge if status == 413 else BadInput
    return refused(f"市政务服务中心无法处理本站的数据（HTTP {status}）：{reason}")
