"""The stations' sync API: push, relay a bundle, pull (DESIGN §7), all signed."""
from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from station.ledger import Event
from sync.bundle import BundleError
from sync.ingest import Answer
from sync.wire import MAX_PUSH_INFLATED, Malformed, WireError, decode_events, dicts_to_columns, gzip_json

from ..errors import HubError
from ..bundles import ingest_relayed_bundle
from ..store import HubStore
from .deps import SIGNED_HEADERS, Signed, SignedBy, SignedQuery, Store

__all__ = ["router", "MAX_PUSH_BYTES", "MAX_PULL_LIMIT"]

MAX_PUSH_BYTES = 8 * 1024 * 1024
MAX_PULL_LIMIT = 5000
GZIP_JSON = {"Content-Encoding": "gzip"}
_GZIP_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"type": "string", "format": "binary", "description": "gzip'd column-major event batch"}}}}}

SignedBatch = Annotated[Signed, Depends(SignedBy(MAX_PUSH_BYTES,
                                                 f"body over {MAX_PUSH_BYTES} bytes: send smaller batches"))]
"""A signed push or bundle of at most :data:`MAX_PUSH_BYTES`."""

router = APIRouter(tags=["sync"])


@router.post("/api/v1/sync/push", openapi_extra=SIGNED_HEADERS | _GZIP_BODY,
             summary="Push a batch of this station's events; answered per event after commit")
async def push(request: Request, signed: SignedBatch, store: Store) -> Response:
    compact = request.query_params.get("answers") == "compact"
    answer = await run_in_threadpool(_answer_push, store, signed, compact)
    return Response(answer, media_type="application/json", headers=GZIP_JSON)


def _answer_push(store: HubStore, signed: Signed, compact: bool) -> bytes:
    """Decode, judge and store one push, and make its gzip'd answer: in one worker thread's
    turn, since every hand-over between the event loop and the pool showed in the profile."""
    try:
        decoded, _ = decode_events(signed.body, MAX_PUSH_INFLATED)
    except WireError as exc:
        raise HubError(400, "malformed_body", str(exc)) from None
    events = [e for e in decoded if isinstance(e, Event)]
    foreign = sorted({e.station for e in events if e.station != signed.station})
    if foreign:
        raise HubError(403, "forbidden", f"station {signed.station} cannot push events recorded at {', '.join(foreign)}")
    ingested = iter(store.ingest(events, signed.station, time.time()))
    answers = [Answer(e.id, "rejected", e.reason) if isinstance(e, Malformed) else next(ingested) for e in decoded]
    return gzip_json(_push_answer(answers, compact) | {"hub_time": time.time()})


def _push_answer(answers: list[Answer], compact: bool) -> dict[str, Any]:
    if compact:  # in request order, no ids: on a 64 kbit/s link the answer must not cost what the batch did
        return {"statuses": [a.status for a in answers],
                "reasons": {str(i): a.reason for i, a in enumerate(answers) if a.reason}}
    return {"results": [a.to_dict() for a in answers]}


@router.post("/api/v1/sync/bundle", openapi_extra=SIGNED_HEADERS | _GZIP_BODY,
             summary="Relay a bundle signed by its origin station (and the bundles it carries)")
async def relay_bundle(signed: SignedBatch, store: Store) -> Response:
    try:
        results = await run_in_threadpool(ingest_relayed_bundle, store, signed.body)
    except BundleError as exc:
        raise HubError(400, "malformed_body", str(exc)) from None
    return JSONResponse({"bundles": results, "hub_time": time.time()})


@router.get("/api/v1/sync/pull", openapi_extra=SIGNED_HEADERS,
            summary="Events of the cases this station may see, after a cursor, as gzip'd JSON")
def pull(signed: SignedQuery, store: Store, after: int = Query(0, ge=0, le=2**63 - 1),
         limit: int = Query(1000, ge=1, le=MAX_PULL_LIMIT)) -> Response:
    page = store.pull(signed.station, after, limit)
    payload = {"w": 1, "events": dicts_to_columns(page.events), "cursor": page.cursor,
               "more": page.more, "hub_time": time.time()}
    return Response(gzip_json(payload), media_type="application/json", headers=GZIP_JSON)
