"""Signed requests from a station to the city hall, shared by the event sync and the file transfers.

Every request is signed with the station's key at the hub's time as best we know it: the
offset measured from the ``X-Hub-Time`` each answer carries, kept in the store so the next
session starts from it. A 401 that only says ``clock_skew`` is sent once more with the
corrected clock. Connection errors, timeouts, 5xx and 429 are retried with exponential
back-off and jitter, capped, until the round's deadline; then ``Unreachable``.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Self

import httpx
from tenacity import Retrying, retry_if_exception, stop_before_delay, wait_random_exponential

from station.errors import StationError, Unreachable
from station.service import StationService

from .signing import signed_headers

__all__ = ["HubSession", "OverHubSession", "RetryableAnswer", "RETRYABLE", "Refusal", "hub_url", "reason_of",
           "CITYHALL_URL_ENV", "OFFSET_META", "CONTACT_META"]

CITYHALL_URL_ENV = "STATION_CITYHALL_URL"
"""Overrides ``[cityhall] url`` of the station's stations.toml (tests, a proxy, a new address)."""
OFFSET_META, CONTACT_META = "clock_offset_s", "last_contact"
HUB_TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=60.0, pool=5.0)

Refusal = Callable[[int, str], StationError]
"""What a caller says when the hub refuses (status, the hub's reason): the wording is the caller's."""
Pacer = Callable[[bytes], Iterable[bytes]]


class RetryableAnswer(Exception):
    """An answer worth asking again: 5xx, 429, or one the caller marks so (413 after shrinking)."""


RETRYABLE = (httpx.TransportError, RetryableAnswer)


def hub_url(service: StationService, base_url: str | None = None) -> str:
    """The given address, else the environment's override, else the topology's city hall."""
    return (base_url or os.environ.get(CITYHALL_URL_ENV) or service.topology.cityhall.url).rstrip("/")


class HubSession:
    """One station's signed conversation with the city hall; a context manager."""

    def __init__(self, service: StationService, base_url: str | None = None, *, refusal: Refusal,
                 unreachable: str, transport: httpx.BaseTransport | None = None, give_up_after: float = 30.0,
                 wall_clock: Callable[[], float] = time.time, backoff_cap_s: float = 8.0,
                 backoff_step_s: float = 0.5) -> None:
        """``unreachable`` is the message when retries run out, with ``{url}`` and ``{problem}``."""
        self.service, self.store = service, service.store
        self.base_url = hub_url(service, base_url)
        self.refusal, self.unreachable = refusal, unreachable
        self.give_up_after, self.wall_clock = give_up_after, wall_clock
        self.backoff_cap_s, self.backoff_step_s = backoff_cap_s, backoff_step_s
        self.offset_s = float(self.store.get_meta(OFFSET_META, "0") or 0)
        self._key = service.signing_key()
        self._deadline = 0.0
        self.http = httpx.Client(base_url=self.base_url, transport=transport, timeout=HUB_TIMEOUT)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- signed requests ------------------------------------------------------------

    def signature(self, method: str, path: str, body: bytes = b"") -> dict[str, str]:
        return signed_headers(self._key, self.service.station.code, method, path, body,
                              self.wall_clock() + self.offset_s)

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None, *,
                pace: Pacer | None = None, skew_retry: bool = True) -> httpx.Response:
        """The hub's answer, whatever its status; sent once more after a skew-only 401."""
        content: Any = (pace(body) if pace else body) if body else None
        sent_at = self.wall_clock()
        response = self.http.request(method, path, content=content,
                                     headers=(headers or {}) | self.signature(method, path, body))
        self.measure_offset(response, sent_at)
        if response.status_code == 401 and skew_retry and _json_of(response).get("error") == "clock_skew":
            return self.request(method, path, body, headers, pace=pace, skew_retry=False)
        return response

    def signed(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None, *,
               skew_retry: bool = True) -> httpx.Response:
        """A successful answer; a refusal raised in the caller's words, a retryable one as such."""
        response = self.request(method, path, body, headers, skew_retry=skew_retry)
        self.raise_for_status(response)
        return response

    @contextmanager
    def stream(self, method: str, path: str, headers: dict[str, str] | None = None) -> Iterator[httpx.Response]:
        """A signed request whose answer is read as it arrives; the status is the caller's to check."""
        sent_at = self.wall_clock()
        with self.http.stream(method, path, headers=(headers or {}) | self.signature(method, path)) as response:
            self.measure_offset(response, sent_at)
            yield response

    def raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        if status >= 500 or status == 429:
            raise RetryableAnswer(f"HTTP {status}")
        raise self.refusal(status, reason_of(response))

    # -- the hub's clock ------------------------------------------------------------

    def measure_offset(self, response: httpx.Response, sent_at: float) -> None:
        """Take the hub's clock at the middle of the exchange; kept when it moved or was refused."""
        hub_time = response.headers.get("X-Hub-Time")
        if not hub_time:
            return
        offset = float(hub_time) - (sent_at + self.wall_clock()) / 2
        if abs(offset - self.offset_s) > 1.0 or response.status_code == 401:
            self.offset_s = offset
            self.store.set_meta(OFFSET_META, f"{offset:.3f}")
        self.store.set_meta(CONTACT_META, f"{self.wall_clock():.3f}")

    # -- retries within a deadline --------------------------------------------------

    def start_round(self) -> None:
        """Retries from now on share ``give_up_after`` seconds."""
        self._deadline = time.monotonic() + self.give_up_after

    def retrying(self, attempt: Callable[[], Any]) -> Any:
        """``attempt()``, again after connection errors and retryable answers until the deadline."""
        remaining = max(0.1, self._deadline - time.monotonic()) if self._deadline else self.give_up_after
        retrying = Retrying(retry=retry_if_exception(_is_retryable), reraise=True,
                            wait=wait_random_exponential(multiplier=self.backoff_step_s, max=self.backoff_cap_s),
                            stop=stop_before_delay(remaining))  # never sleeps past the deadline
        try:
            return retrying(attempt)
        except RETRYABLE as exc:
            raise Unreachable(self.unreachable.format(url=self.base_url, problem=_describe(exc))) from exc


class OverHubSession:
    """A context manager for work done over ``self.session``, which it closes."""

    session: HubSession

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, RETRYABLE)


def _json_of(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def reason_of(response: httpx.Response) -> str:
    """The hub's ``reason`` for a refusal, else the start of what it said."""
    try:
        response.read()
    except httpx.StreamError:
        return ""
    reason = _json_of(response).get("reason")
    return str(reason) if reason is not None else response.text[:200]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "连接超时"
    if isinstance(exc, httpx.ConnectError):
        return "无法建立连接"
    return str(exc) or type(exc).__name__
