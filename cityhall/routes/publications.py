"""``GET /api/v1/publications?after=N``: item definitions and calendars, signed like pull."""
from __future__ import annotations

import time

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from ..bundles import publish_station_key, station_keys_for
from ..publish import publications_after
from ..revocation import all_revocations
from .deps import SIGNED_HEADERS, SignedQuery, Store

__all__ = ["router", "MAX_PUBLICATIONS_PAGE"]

MAX_PUBLICATIONS_PAGE = 200

router = APIRouter(tags=["sync"])


@router.get("/api/v1/publications", summary="Item definitions and working-day tables after a cursor",
            openapi_extra=SIGNED_HEADERS)
def publications(signed: SignedQuery, store: Store, after: int = Query(0, ge=0, le=2**63 - 1),
                 limit: int = Query(50, ge=1, le=MAX_PUBLICATIONS_PAGE),
                 encryption_key: str | None = Query(None, max_length=64,
                                                    description="the station's own X25519 public key")) -> Response:
    publish_station_key(store.engine, signed.station, encryption_key)
    page, more = publications_after(store.engine, after, limit)
    # every page carries the whole (short) list of revoked keys: stations refuse their late bundles;
    # and the encryption keys its bundles are sealed to
    return JSONResponse({"publications": [p.to_dict() for p in page],
                         "cursor": page[-1].seq if page else after, "more": more, "hub_time": time.time(),
                         "revocations": [r.to_dict() for r in all_revocations(store.engine)],
                         "encryption_keys": station_keys_for(store, signed.station)})
