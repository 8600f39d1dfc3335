"""What the routes share, as FastAPI dependencies: the app's state, typed, and the signed station.

``cityhall/app.py`` puts one of each on ``app.state`` (store, templates, settings, limiter,
calendar, clock, files, session key); a route names what it needs by type (``store: Store``),
so a router mounted alone in a small app with those on its state answers the same.

:class:`Signed` is the station that signed a request and the body it signed, produced by
one dependency: the body bounded (413 before a byte over the limit is held), then the
signature checked against the station's enrolled key and its revoked ones (401, 403).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from station.home import CHINA_TZ
from station.ledger import HybridClock
from sync.signing import HEADER_STATION

from ..bodies import BodyTooLarge, read_small_body
from ..errors import HubError
from ..files import HubFiles
from ..publish import PublishedCalendar
from ..security import MissLimiter, NeedsDatabase, authenticate
from ..settings import HubSettings
from ..store import HubStore

__all__ = ["Store", "Templates", "Settings", "Limiter", "Calendar", "Clock", "Files", "SessionKey", "Today",
           "Signed", "SignedBy", "SignedQuery", "SIGNED_HEADERS", "hub_store"]

_T = TypeVar("_T")


def _state(request: Request, name: str, kind: type[_T]) -> _T:
    """``app.state.<name>``, checked. The dependencies below that read it are ``async`` although
    they never wait: FastAPI runs a plain ``def`` dependency in the thread pool, and that hand-over
    and back cost every request more than the whole lookup."""
    value = getattr(request.app.state, name, None)
    if not isinstance(value, kind):
        raise TypeError(f"app.state.{name} must be a {kind.__name__} (cityhall/app.py sets it), not {value!r}")
    return value


async def hub_store(request: Request) -> HubStore:
    return _state(request, "store", HubStore)


async def _templates(request: Request) -> Jinja2Templates:
    return _state(request, "templates", Jinja2Templates)


async def _settings(request: Request) -> HubSettings:
    return _state(request, "settings", HubSettings)


async def _limiter(request: Request) -> MissLimiter:
    return _state(request, "limiter", MissLimiter)


async def _calendar(request: Request) -> PublishedCalendar:
    return _state(request, "calendar", PublishedCalendar)


async def _clock(request: Request) -> HybridClock:
    return _state(request, "hub_clock", HybridClock)


async def _files(request: Request) -> HubFiles:
    return _state(request, "files", HubFiles)


async def _session_key(request: Request) -> bytes:
    return _state(request, "session_key", bytes)


async def _today(request: Request) -> date:
    """China's date; ``app.state.staff_today`` (a function) stands in for the clock where a test sets one."""
    override: Callable[[], date] | None = getattr(request.app.state, "staff_today", None)
    return override() if override else datetime.now(CHINA_TZ).date()


Store = Annotated[HubStore, Depends(hub_store)]
Templates = Annotated[Jinja2Templates, Depends(_templates)]
Settings = Annotated[HubSettings, Depends(_settings)]
Limiter = Annotated[MissLimiter, Depends(_limiter)]
Calendar = Annotated[PublishedCalendar, Depends(_calendar)]
Clock = Annotated[HybridClock, Depends(_clock)]
Files = Annotated[HubFiles, Depends(_files)]
SessionKey = Annotated[bytes, Depends(_session_key)]
Today = Annotated[date, Depends(_today)]


# -- the signed station -----------------------------------------------------------

SIGNED_HEADERS = {"parameters": [{"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
                                 for h in ("X-Station", "X-Timestamp", "X-Signature")]}
"""``openapi_extra`` of a signed route: the three headers it must carry."""


@dataclass(frozen=True)
class Signed:
    """The enrolled station that signed the request, and the body it signed (empty for a GET)."""

    station: str
    body: bytes


class SignedBy:
    """The dependency making :class:`Signed`: bound the body, then check the signature.

    ``max_bytes`` 0 reads no body (a GET signs the empty one). ``too_large`` is the 413's
    reason. ``first`` runs before the signature is checked, for what a route refuses
    whoever asks (a malformed file name), so an unsigned request hears that too.
    """

    def __init__(self, max_bytes: int = 0, too_large: str = "", first: Callable[[Request], None] | None = None) -> None:
        self.max_bytes, self.too_large, self.first = max_bytes, too_large, first

    async def __call__(self, request: Request, store: Store) -> Signed:
        body = await self._body(request) if self.max_bytes else b""
        if self.first is not None:
            self.first(request)
        return Signed(await self._signer(request, body, store), body)

    @staticmethod
    async def _signer(request: Request, body: bytes, store: HubStore) -> str:
        """The signing station. With its key and the revocations in memory nothing here waits on the
        database, so the event loop checks the signature itself: handing that to the thread pool
        and back cost a push about 1.4 ms, more than the check."""
        if store.credentials_in_memory(request.headers.get(HEADER_STATION, "")):
            try:
                return authenticate(request, body, store, time.time(), in_memory_only=True)
            except NeedsDatabase:
                pass  # the key held does not verify: read it again, in the pool
        return await run_in_threadpool(authenticate, request, body, store, time.time())

    async def _body(self, request: Request) -> bytes:
        try:
            return await read_small_body(request, self.max_bytes)
        except BodyTooLarge:
            raise HubError(413, "too_large", self.too_large) from None


SignedQuery = Annotated[Signed, Depends(SignedBy())]
"""A signed request without a body: pull, restore, publications, notices."""
