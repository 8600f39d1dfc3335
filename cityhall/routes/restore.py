"""``GET /api/v1/sync/restore``: a new PC's restore, signed by the station's newly enrolled key (cityhall/restore.py)."""
from __future__ import annotations

import time

from fastapi import APIRouter, Query
from fastapi.responses import Response

from sync.wire import dicts_to_columns, gzip_json

from ..restore import restore_page, station_standing
from .deps import SIGNED_HEADERS, SignedQuery, Store
from .sync import GZIP_JSON

__all__ = ["router", "MAX_RESTORE_PAGE"]

MAX_RESTORE_PAGE = 5000

router = APIRouter(tags=["sync"])


@router.get("/api/v1/sync/restore", openapi_extra=SIGNED_HEADERS,
            summary="A new PC's restore: this station's own events and the cases it can see, by seq")
def restore(signed: SignedQuery, store: Store, after: int = Query(0, ge=0, le=2**63 - 1),
            limit: int = Query(2000, ge=1, le=MAX_RESTORE_PAGE)) -> Response:
    # the standing is read before the events: whatever arrives in between comes again by pull (deduplicated)
    standing = station_standing(store.engine, signed.station) if after == 0 else {}
    events, cursor, more = restore_page(store.engine, signed.station, after, limit)
    payload = {"w": 1, "events": dicts_to_columns(events), "cursor": cursor, "more": more,
               "hub_time": time.time(), **standing}
    return Response(gzip_json(payload), media_type="application/json", headers=GZIP_JSON)
