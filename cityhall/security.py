"""Request authentication, the response headers every answer carries (and the citizen's pages' no-store), and the miss limiter."""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.signing import HEADER_SIGNATURE, HEADER_STATION, HEADER_TIMESTAMP, signing_text, verify_bytes, verify_request

from .errors import HubError
from .store import HubStore

__all__ = ["AuthFailure", "NeedsDatabase", "authenticate", "bundle_key_problem", "HubHeaders", "PrivateTrackingAnswers",
           "MissLimiter", "HUB_TIME_HEADER"]

HUB_TIME_HEADER = "X-Hub-Time"
_SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class AuthFailure(HubError):
    """401 (who is speaking is unknown) or 403 (known, but not allowed); answered by the one HubError handler."""

    def __init__(self, status: int, reason: str, **extra: Any) -> None:
        error = extra.pop("error", "unauthorised" if status == 401 else "forbidden")
        super().__init__(status, error, reason, **extra)


class NeedsDatabase(Exception):
    """``authenticate(..., in_memory_only=True)`` would have had to read the station's key again."""


def authenticate(request: Request, body: bytes, store: HubStore, now: float, *, in_memory_only: bool = False) -> str:
    """The enrolled station that signed this request; AuthFailure otherwise.

    ``in_memory_only``: raise :class:`NeedsDatabase` rather than read the key again when the
    one held does not verify (the caller is the event loop, which must not wait on the database).
    """
    station = request.headers.get(HEADER_STATION, "")
    if not station or not request.headers.get(HEADER_SIGNATURE) or not request.headers.get(HEADER_TIMESTAMP):
        raise AuthFailure(401, f"request must carry {HEADER_STATION}, {HEADER_TIMESTAMP} and {HEADER_SIGNATURE}")
    if not (len(station) == 12 and station.isascii() and station.isdigit()):
        raise AuthFailure(401, f"{HEADER_STATION} must be a 12-digit station code")
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    headers = {name: request.headers.get(name, "") for name in (HEADER_STATION, HEADER_TIMESTAMP, HEADER_SIGNATURE)}
    _refuse_revoked(store, station, headers, request.method, path, body)
    key = store.public_key(station)
    if key is None:
        raise AuthFailure(401, f"station {station} is not enrolled (cityhall enroll {station} PUBLIC_KEY)")
    problem = verify_request(key, headers, request.method, path, body, now)
    if problem is not None and not problem.skew:  # perhaps enrolled anew by another process a moment ago
        if in_memory_only:
            raise NeedsDatabase(station)
        key = store.public_key(station, fresh=True)
        problem = verify_request(key, headers, request.method, path, body, now) if key else problem
    if problem is not None:
        extra = {"error": "clock_skew", "hub_time": now} if problem.skew else {}
        raise AuthFailure(401, problem.reason, **extra)
    if station not in store.topology:
        raise AuthFailure(403, f"station {station} is not in the city hall's stations.toml")
    store.touch(station, now)
    return station


def _refuse_revoked(store: HubStore, station: str, headers: dict[str, str], method: str, path: str,
                    body: bytes) -> None:
    """401 ``revoked`` when a revoked key of the station signed this request, whatever its timestamp."""
    revoked = store.revoked_keys(station)
    if not revoked:
        return
    from station.keys import load_public_key

    text = signing_text(method, path, headers[HEADER_TIMESTAMP], body, station)
    for revocation in revoked:
        if verify_bytes(load_public_key(revocation.public_key), headers[HEADER_SIGNATURE], text):
            raise AuthFailure(401, "revoked", error="revoked", revoked_at=revocation.to_dict()["revoked_at"],
                              detail=f"the key of station {station} was revoked ({revocation.reason or 'no reason given'}): "
                                     "enrol the new PC's key with cityhall enroll")


def bundle_key_problem(store: HubStore, station: str, public_key: str, created_at: str) -> str | None:
    """Why a bundle signed by ``public_key`` does not speak for ``station``; None when it does.

    A key revoked since still vouches for what it signed before its revocation (a stick
    written before the PC was lost); nothing it signed at or after that time counts.
    """
    for revocation in store.revoked_keys(station):
        if revocation.public_key == public_key:
            if revocation.refuses_bundle(created_at):
                return (f"revoked: signed by the key of {station} revoked at {revocation.to_dict()['revoked_at']} "
                        f"(bundle written {created_at})")
            return None
    if store.enrolled_key_text(station) != public_key:
        return "origin station not enrolled with this key"
    return None


class HubHeaders:
    """Adds the hub's clock and the security headers to every response (pure ASGI: no body copy)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(HUB_TIME_HEADER.lower().encode(), f"{time.time():.3f}".encode()), *_SECURITY_HEADERS]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


class PrivateTrackingAnswers:
    """``Cache-Control: no-store`` on every answer of the citizen's pages: a shared phone or proxy keeps none."""

    _PREFIXES = ("/T/", "/api/v1/track/")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self._PREFIXES):
            await self.app(scope, receive, send)
            return

        async def send_private(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message["headers"] = [*headers, (b"cache-control", b"no-store")]
            await send(message)

        await self.app(scope, receive, send_private)


class MissLimiter:
    """Counts tracking-page misses per client address; too many in the window → refuse for a while."""

    def __init__(self, limit: int = 20, window_s: float = 600.0) -> None:
        self.limit, self.window_s = limit, window_s
        self._misses: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, client: str, now: float) -> bool:
        with self._lock:
            misses = self._recent(client, now)
            return len(misses) >= self.limit

    def record_miss(self, client: str, now: float) -> None:
        with self._lock:
            self._recent(client, now).append(now)
            if len(self._misses) > 100_000:  # a flood of addresses must not grow memory without bound
                self._misses.clear()

    def _recent(self, client: str, now: float) -> deque[float]:
        misses = self._misses.setdefault(client, deque())
        while misses and misses[0] < now - self.window_s:
            misses.popleft()
        return misses
