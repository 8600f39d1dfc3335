"""The station side: drain the outbox to the city hall, relay carried bundles, pull by cursor.

Every request is signed with the station's key at the hub's time as best we know it
(the measured offset). Connection errors, timeouts, 5xx and 429 are retried with
exponential back-off and jitter, capped, until ``give_up_after`` seconds have passed;
then ``Unreachable`` (exit 5) and the queue stays as it was. Events are marked pushed
only from the hub's answer, which the hub sends after its commit; so a crash on either
side at any moment at worst re-sends events, which the hub answers as duplicates.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_random_exponential

from station.errors import BadInput, NotAllowed, Unreachable
from station.ledger import Event
from station.service import StationService

from .publications import fetch_publications
from .signing import signed_headers
from .wire import columns_to_dicts, encode_batch

__all__ = ["SyncClient", "SyncReport", "AdaptiveBatch", "relay_dir", "CITYHALL_URL_ENV"]

CITYHALL_URL_ENV = "STATION_CITYHALL_URL"
"""Overrides ``[cityhall] url`` of the station's stations.toml (tests, a proxy, a new address)."""
OFFSET_META, CURSOR_META, CONTACT_META = "clock_offset_s", "pull_cursor", "last_contact"
PULL_PAGE = 2000


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    rejected: int = 0
    pending: int = 0
    clock_offset_s: float = 0.0
    relayed_bundles: int = 0
    duplicates: int = 0
    parked: int = 0
    newly_rejected: int = 0
    publications: int = 0
    """Item definitions and calendars received from the city hall this round."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Transient(Exception):
    """A status worth retrying (5xx, 429, 413 after shrinking the batch)."""


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, (httpx.TransportError, _Transient))


@dataclass
class AdaptiveBatch:
    """Batch size that follows the link: halve on timeout or 413, double when a full batch was quick."""

    size: int = 100
    smallest: int = 10
    largest: int = 2000
    quick_s: float = 8.0

    def shrink(self) -> None:
        self.size = max(self.smallest, self.size // 2)

    def after_success(self, sent: int, elapsed_s: float) -> None:
        if sent >= self.size and elapsed_s < self.quick_s:
            self.size = min(self.largest, self.size * 2)


def relay_dir(service: StationService) -> Path:
    """Bundles imported from other stations, waiting to be relayed upward byte for byte."""
    return service.home.root / "relay"


class SyncClient:
    def __init__(self, service: StationService, base_url: str | None = None, *,
                 transport: httpx.BaseTransport | None = None, give_up_after: float = 30.0,
                 batch: AdaptiveBatch | None = None, wall_clock: Callable[[], float] = time.time,
                 backoff_cap_s: float = 8.0) -> None:
        self.service = service
        self.store = service.store
        self.base_url = (base_url or os.environ.get(CITYHALL_URL_ENV) or service.topology.cityhall.url).rstrip("/")
        self.give_up_after = give_up_after
        self.batch = batch or AdaptiveBatch()
        self.wall_clock = wall_clock
        self.backoff_cap_s = backoff_cap_s
        self.offset_s = float(self.store.get_meta(OFFSET_META, "0") or 0)
        self._key = service.signing_key()
        self._deadline = 0.0
        timeout = httpx.Timeout(connect=5.0, read=60.0, write=60.0, pool=5.0)
        self.http = httpx.Client(base_url=self.base_url, transport=transport, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the one call a command or the loop makes ----------------------------------

    def sync_once(self) -> SyncReport:
        """Relay carried bundles, push everything pending, then pull until caught up."""
        self._deadline = time.monotonic() + self.give_up_after
        report = SyncReport()
        report.relayed_bundles = self.relay_bundles()
        self.push_pending(report)
        report.pulled = self.pull_all()
        report.publications = fetch_publications(self).received
        counts = self.store.outbox_counts()
        report.rejected, report.pending = counts["rejected"], counts["pending"]
        report.clock_offset_s = round(self.offset_s, 3)
        return report

    # -- push ---------------------------------------------------------------------

    def push_pending(self, report: SyncReport) -> None:
        while True:
            answered = self._retrying(lambda: self._push_one_batch(report))
            if not answered:
                return

    def _push_one_batch(self, report: SyncReport) -> int:
        events = self.store.pending_events(self.batch.size)
        if not events:
            return 0
        started = time.monotonic()
        try:
            response = self._signed("POST", "/api/v1/sync/push?answers=compact", encode_batch(events))
        except httpx.TimeoutException:
            self.batch.shrink()
            raise
        if response.status_code == 413:
            self.batch.shrink()
            raise _Transient("413")
        self._record_answers(_answers(events, response.json()), report)
        self.batch.after_success(len(events), time.monotonic() - started)
        return len(events)

    def _record_answers(self, results: list[dict[str, Any]], report: SyncReport) -> None:
        with self.store.write():  # one durable commit for the whole answer, not one per event
            for answer in results:
                status = answer["status"]
                if status == "rejected":
                    self.store.mark_outbox(answer["id"], "rejected", answer.get("reason"))
                    report.newly_rejected += 1
                    continue
                self.store.mark_outbox(answer["id"], "pushed")
                report.pushed += 1
                report.duplicates += status == "duplicate"
                report.parked += status == "parked"

    # -- bundles carried for other stations ------------------------------------------

    def relay_bundles(self) -> int:
        folder = relay_dir(self.service)
        relayed = 0
        for path in sorted(folder.glob("*.bundle")) if folder.is_dir() else []:
            self._retrying(lambda p=path: self._signed("POST", "/api/v1/sync/bundle", p.read_bytes()))
            path.unlink()  # the hub answered after its commit: the origin's events are safe there
            relayed += 1
        return relayed

    # -- pull ---------------------------------------------------------------------

    def pull_all(self) -> int:
        applied = 0
        while True:
            cursor = int(self.store.get_meta(CURSOR_META, "0") or 0)
            page = self._retrying(lambda: self._signed(
                "GET", f"/api/v1/sync/pull?after={cursor}&limit={PULL_PAGE}").json())
            events = [Event.from_dict(raw) for raw in columns_to_dicts(page["events"])]
            with self.store.write():  # events and the cursor move together
                applied += self.service.apply_events(events)
                self.store.set_meta(CURSOR_META, str(page["cursor"]))
            if not page["more"]:
                return applied

    # -- signed requests, clock offset, retries -------------------------------------

    def _signed(self, method: str, path: str, body: bytes = b"", skew_retry: bool = True) -> httpx.Response:
        headers = signed_headers(self._key, self.service.station.code, method, path, body,
                                 self.wall_clock() + self.offset_s)
        if body:
            headers |= {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        sent_at = self.wall_clock()
        response = self.http.request(method, path, content=body or None, headers=headers)
        self._measure_offset(response, sent_at)
        if response.status_code == 401 and skew_retry and _error_of(response) == "clock_skew":
            return self._signed(method, path, body, skew_retry=False)
        _raise_for_status(response)
        return response

    def _measure_offset(self, response: httpx.Response, sent_at: float) -> None:
        hub_time = response.headers.get("X-Hub-Time")
        if not hub_time:
            return
        received_at = self.wall_clock()
        offset = float(hub_time) - (sent_at + received_at) / 2
        if abs(offset - self.offset_s) > 1.0 or response.status_code == 401:
            self.offset_s = offset
            self.store.set_meta(OFFSET_META, f"{offset:.3f}")
        self.store.set_meta(CONTACT_META, f"{self.wall_clock():.3f}")

    def _retrying(self, attempt: Callable[[], Any]) -> Any:
        remaining = max(0.1, self._deadline - time.monotonic()) if self._deadline else self.give_up_after
        retrying = Retrying(retry=retry_if_exception(_is_transient), reraise=True,
                            wait=wait_random_exponential(multiplier=0.5, max=self.backoff_cap_s),
                            stop=stop_after_delay(remaining))
        try:
            return retrying(attempt)
        except (httpx.TransportError, _Transient) as exc:
            raise Unreachable(f"连不上市政务服务中心（{self.base_url}）：{_describe(exc)}。"
                              "待上传的记录都保留在本机，联网后会自动补传") from exc


def _answers(events: list[Event], body: dict[str, Any]) -> list[dict[str, Any]]:
    """The compact answer (statuses in request order) as per-event answers."""
    statuses, reasons = body["statuses"], body.get("reasons", {})
    if len(statuses) != len(events):
        raise _Transient("answer does not match the batch")
    return [{"id": e.id, "status": s, "reason": reasons.get(str(i))} for i, (e, s) in enumerate(zip(events, statuses))]


def _error_of(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", ""))
    except (ValueError, AttributeError):
        return ""


def _reason_of(response: httpx.Response) -> str:
    try:
        return str(response.json().get("reason", response.text))
    except ValueError:
        return response.text[:200]


def _raise_for_status(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    if status >= 500 or status == 429:
        raise _Transient(f"HTTP {status}")
    if status == 401:
        raise NotAllowed(f"市政务服务中心不认可本站的签名：{_reason_of(response)}。"
                         "请确认本站公钥已登记（cityhall enroll 站点代码 公钥）")
    if status == 403:
        raise NotAllowed(f"市政务服务中心拒绝了本站的请求：{_reason_of(response)}")
    raise BadInput(f"市政务服务中心无法处理本站的数据（HTTP {status}）：{_reason_of(response)}")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "连接超时"
    if isinstance(exc, httpx.ConnectError):
        return "无法建立连接"
    return str(exc) or type(exc).__name__
