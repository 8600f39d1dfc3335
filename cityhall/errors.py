"""The one refusal the hub's JSON routes raise, and the one handler that answers it.

Every refused JSON request is answered ``{"error", "reason", "hub_time", ...}`` (DESIGN §7):
``error`` a stable identifier a station can branch on, ``reason`` what to do about it, the
hub's clock so a station can tell its own is off, and whatever else the refusal names
(``received`` for a chunk at the wrong offset, ``problems`` for a rating, ``revoked_at``).
Handlers and dependencies ``raise HubError(...)``; :func:`install` registers the handler
that renders it. HTML pages answer with their own pages and never raise it to the citizen.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

__all__ = ["HubError", "install", "answer_hub_error", "answer_invalid_request"]


class HubError(Exception):
    """A refusal: HTTP ``status``, the ``error`` identifier, the ``reason`` and any extra keys of the answer."""

    def __init__(self, status: int, error: str, reason: str, *, headers: Mapping[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(reason)
        self.status, self.error, self.reason = status, error, reason
        self.headers = dict(headers or {})
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The answer's JSON; an ``extra`` ``hub_time`` (the clock a skew was judged by) wins over now."""
        return {"error": self.error, "reason": self.reason, "hub_time": time.time(), **self.extra}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers or None)

    def __repr__(self) -> str:
        return f"HubError({self.status}, {self.error!r}, {self.reason!r})"


async def answer_hub_error(_request: Request, exc: Exception) -> Response:
    """The exception handler: a :class:`HubError` as its JSON answer."""
    if not isinstance(exc, HubError):  # registered for HubError alone
        raise exc
    return exc.response()


async def answer_invalid_request(_request: Request, exc: Exception) -> Response:
    """A query or form value FastAPI refused (``pull?limit=0``): the same shape as every refusal,
    every problem named at once; FastAPI's own ``detail`` list is kept beside it."""
    if not isinstance(exc, RequestValidationError):  # registered for RequestValidationError alone
        raise exc
    problems = [f"{'.'.join(str(part) for part in error.get('loc', ()))}: {error.get('msg', '')}" for error in exc.errors()]
    return HubError(422, "malformed_request", "; ".join(problems) or "the request is not well-formed",
                    detail=jsonable_encoder(exc.errors())).response()


def install(app: FastAPI) -> None:
    """Answer every :class:`HubError` a route or dependency of ``app`` raises, and every request
    FastAPI's own checks refuse, in the ``{error, reason, hub_time}`` shape."""
    app.add_exception_handler(HubError, answer_hub_error)
    app.add_exception_handler(RequestValidationError, answer_invalid_request)
