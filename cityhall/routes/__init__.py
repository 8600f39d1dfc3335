"""The hub's HTTP routes, one ``APIRouter`` per area; ``cityhall/app.py`` includes them all.

| module | routes |
|---|---|
| ``sync`` | ``POST /api/v1/sync/push``, ``POST /api/v1/sync/bundle``, ``GET /api/v1/sync/pull`` |
| ``restore`` | ``GET /api/v1/sync/restore`` |
| ``publications`` | ``GET /api/v1/publications`` |
| ``files`` | ``PUT``/``GET /api/v1/files/{sha256}``, ``GET /api/v1/files/{sha256}/status`` |
| ``tracking`` | the citizen's ``/T/{case}/{token}`` and ``/api/v1/track/{case}/{token}``, their ratings |
| ``notify`` | the citizen's 不再接收短信, a station's ``GET /api/v1/notices`` |
| ``staff`` | ``/staff/...``: login, the digest, the ranking |
| ``operations`` | ``/healthz``, ``/metrics`` |

What they share comes through ``deps`` (the app's state, typed, and the signed station);
a refusal is a raised :class:`cityhall.errors.HubError`, answered by one handler.
"""
from __future__ import annotations

from fastapi import APIRouter

from . import files, notify, operations, publications, restore, staff, sync, tracking

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (sync.router, tracking.router, operations.router, files.router,
                                  publications.router, restore.router, staff.router, notify.router)
"""In the order they are included (none shadows another)."""
