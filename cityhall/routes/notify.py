"""Texts over HTTP: the citizen's 不再接收短信 (JSON and form), and a station's fetch of its cases' texts."""
from __future__ import annotations

import time

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from station.ledger import InvalidCaseNo, normalise_case_no

from ..errors import HubError
from ..notify.outbox import notices_for_station, opt_out
from ..notify.web import link_matches
from ..security import MissLimiter
from ..store import HubStore
from ..tracking import token_matches
from .deps import SIGNED_HEADERS, Limiter, SignedQuery, Store, Templates
from .tracking import NOT_FOUND_TEXT

__all__ = ["router", "MAX_NOTICES_PAGE"]

MAX_NOTICES_PAGE = 1000

router = APIRouter()


def _stop_texts(request: Request, case_no: str, token: str, store: HubStore, limiter: MissLimiter) -> int | None:
    """Texts skipped now, or None for an unknown case or a wrong token (the same answer for both)."""
    client = request.client.host if request.client else "?"
    if limiter.blocked(client, time.time()):
        return None
    try:
        normalised = normalise_case_no(case_no)
    except InvalidCaseNo:
        normalised = ""
    stored_hash = store.token_hash_of(normalised) if normalised else None
    if stored_hash is None or not (token_matches(stored_hash, token) or link_matches(store.engine, normalised, token)):
        limiter.record_miss(client, time.time())
        return None
    return opt_out(store.engine, normalised, "citizen", time.time())


@router.post("/api/v1/track/{case_no}/{token}/sms-opt-out", tags=["tracking"],
             summary="The citizen stops text messages about this case (不再接收短信)")
async def opt_out_json(request: Request, case_no: str, token: str, store: Store, limiter: Limiter) -> Response:
    skipped = await run_in_threadpool(_stop_texts, request, case_no, token, store, limiter)
    if skipped is None:
        raise HubError(404, "not_found", NOT_FOUND_TEXT)
    return JSONResponse({"ok": True, "skipped": skipped})


@router.post("/T/{case_no}/{token}/sms-stop", response_class=HTMLResponse, include_in_schema=False)
async def opt_out_form(request: Request, case_no: str, token: str, store: Store, limiter: Limiter,
                       templates: Templates) -> Response:
    skipped = await run_in_threadpool(_stop_texts, request, case_no, token, store, limiter)
    found = skipped is not None
    return templates.TemplateResponse(request, "not_found.html", {
        "cityhall_name": store.topology.cityhall.name,
        "headline": "已停止短信通知" if found else "没有找到该办件",
        "detail": ("本办件今后不再给您发送短信。进度仍可扫描回执上的二维码查看。" if found
                   else "请核对二维码或查询码。")}, status_code=200 if found else 404)


@router.get("/api/v1/notices", tags=["sync"], openapi_extra=SIGNED_HEADERS,
            summary="Texts sent about the cases this station may see, changed after a cursor (signed like pull)")
def station_notices(signed: SignedQuery, store: Store, after: float = Query(0.0, ge=0.0, allow_inf_nan=False),
                    after_id: str = Query("", max_length=32),
                    limit: int = Query(500, ge=1, le=MAX_NOTICES_PAGE)) -> Response:
    page, cursor, more = notices_for_station(store.engine, signed.station, (after, after_id), limit)
    shown = [{k: n[k] for k in ("case_no", "step", "status", "at", "detail", "phone", "attempts")} for n in page]
    return JSONResponse({"notices": shown, "after": cursor[0], "after_id": cursor[1], "more": more,
                         "hub_time": time.time()})
