"""Reading a request body that must be small, without ever holding more than the limit.

Public routes (a citizen's rating, the staff login form) take a few hundred bytes. A
declared ``Content-Length`` over the limit is refused before a byte is read; a body sent
without one (chunked) is read only until it passes the limit. So an unauthenticated
client cannot make the hub buffer or parse megabytes on its event loop.
"""
from __future__ import annotations

from starlette.requests import Request

__all__ = ["BodyTooLarge", "read_small_body", "SMALL_BODY_BYTES"]

SMALL_BODY_BYTES = 4 * 1024
"""A rating (five levels and a 200-character comment) or a login form fits many times over."""


class BodyTooLarge(Exception):
    """The body is (or says it is) longer than the route takes."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"请求内容超过 {limit} 字节")
        self.limit = limit


async def read_small_body(request: Request, limit: int = SMALL_BODY_BYTES) -> bytes:
    """The whole body if it is at most ``limit`` bytes; :class:`BodyTooLarge` as soon as it is not."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise BodyTooLarge(limit)
    return bytes(received)
