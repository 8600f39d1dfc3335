"""``GET /api/v1/publications?after=N``: item definitions and calendars, signed like pull."""
from __future__ import annotations

import time

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response

from .bundles import publish_station_key, station_keys_for
from .publish import publications_after
from .revocation import all_revocations
from .security import AuthFailure, authenticate
from .store import HubStore

__all__ = ["add_publication_routes", "MAX_PUBLICATIONS_PAGE"]

MAX_PUBLICATIONS_PAGE = 200


def add_publication_routes(app: FastAPI) -> None:
    store: HubStore = app.state.store

    @app.get("/api/v1/publications", tags=["sync"], summary="Item definitions and working-day tables after a cursor",
             openapi_extra={"parameters": [{"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
                                           for h in ("X-Station", "X-Timestamp", "X-Signature")]})
    def publications(request: Request, after: int = Query(0, ge=0, le=2**63 - 1),
                     limit: int = Query(50, ge=1, le=MAX_PUBLICATIONS_PAGE)) -> Response:
        try:
            station = authenticate(request, b"", store, time.time())
        except AuthFailure as refused:
            return refused.response()
        publish_station_key(store.engine, station, request.query_params.get("encryption_key"))
        page, more = publications_after(store.engine, after, limit)
        # every page carries the whole (short) list of revoked keys: stations refuse their late bundles;
        # and the encryption keys its bundles are sealed to
        return JSONResponse({"publications": [p.to_dict() for p in page],
                             "cursor": page[-1].seq if page else after, "more": more, "hub_time": time.time(),
                             "revocations": [r.to_dict() for r in all_revocations(store.engine)],
                             "encryption_keys": station_keys_for(store, station)})
