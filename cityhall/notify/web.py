"""The hub's side of texts: start the sender with the app, and let the citizen say 不再接收短信."""
from __future__ import annotations

import hmac
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool

from station.ledger import InvalidCaseNo, normalise_case_no
from station.receipts import token_hash

from . import attach
from .config import load_notify_config
from .outbox import notices_for_station, opt_out
from .providers import make_provider
from .sender import NoticeSender
from .tables import sms_links

__all__ = ["add_notify", "link_matches"]


def link_matches(engine: Engine, case_no: str, token: str) -> bool:
    """True when ``token`` is a tracking link the hub made for one of this case's texts."""
    if not token or len(token) > 64:
        return False
    digest = token_hash(token)
    with engine.connect() as conn:
        found = conn.execute(select(sms_links.c.case_no).where(sms_links.c.token_hash == digest)).scalar()
    return found is not None and hmac.compare_digest(found, case_no)


def add_notify(app: FastAPI, topology_file: Path, credentials: Mapping[str, str]) -> NoticeSender | None:
    """Read ``[notify]``; when a provider is named, queue texts at ingest and send them while the app runs."""
    store = app.state.store
    config = load_notify_config(topology_file, credentials)
    app.state.notify_enabled = config is not None
    _opt_out_routes(app)
    _station_routes(app)
    if config is None:
        return None
    attach(store, config, app.state.calendar.get)
    sender = NoticeSender(store.engine, config, make_provider(config), store.topology, app.state.calendar.get)
    app.state.notice_sender = sender
    _run_with_app(app, sender)
    return sender


def _run_with_app(app: FastAPI, sender: NoticeSender) -> None:
    previous = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(running: Any) -> AsyncIterator[Any]:
        sender.start()
        try:
            async with previous(running) as state:
                yield state
        finally:
            await run_in_threadpool(sender.stop)

    app.router.lifespan_context = lifespan


def _opt_out_routes(app: FastAPI) -> None:
    store = app.state.store

    def stop_texts(request: Request, case_no: str, token: str) -> int | None:
        """Texts skipped now, or None for an unknown case or a wrong token (the same answer for both)."""
        from cityhall.tracking import token_matches

        client = request.client.host if request.client else "?"
        limiter = app.state.limiter
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

    @app.post("/api/v1/track/{case_no}/{token}/sms-opt-out", tags=["tracking"],
              summary="The citizen stops text messages about this case (不再接收短信)")
    async def opt_out_json(request: Request, case_no: str, token: str) -> Response:
        skipped = await run_in_threadpool(stop_texts, request, case_no, token)
        if skipped is None:
            return JSONResponse({"error": "not_found", "reason": "没有找到该办件，请核对二维码或查询码"}, status_code=404)
        return JSONResponse({"ok": True, "skipped": skipped})

    @app.post("/T/{case_no}/{token}/sms-stop", response_class=HTMLResponse, include_in_schema=False)
    async def opt_out_form(request: Request, case_no: str, token: str) -> Response:
        skipped = await run_in_threadpool(stop_texts, request, case_no, token)
        found = skipped is not None
        return app.state.templates.TemplateResponse(request, "not_found.html", {
            "cityhall_name": store.topology.cityhall.name,
            "headline": "已停止短信通知" if found else "没有找到该办件",
            "detail": ("本办件今后不再给您发送短信。进度仍可扫描回执上的二维码查看。" if found
                       else "请核对二维码或查询码。")}, status_code=200 if found else 404)


_SIGNED = {"parameters": [{"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
                          for h in ("X-Station", "X-Timestamp", "X-Signature")]}
MAX_NOTICES_PAGE = 1000


def _station_routes(app: FastAPI) -> None:
    store = app.state.store

    @app.get("/api/v1/notices", tags=["sync"], openapi_extra=_SIGNED,
             summary="Texts sent about the cases this station may see, changed after a cursor (signed like pull)")
    def station_notices(request: Request, after: float = Query(0.0, ge=0.0), after_id: str = Query("", max_length=32),
                        limit: int = Query(500, ge=1, le=MAX_NOTICES_PAGE)) -> Response:
        from cityhall.security import AuthFailure, authenticate

        try:
            station = authenticate(request, b"", store, time.time())
        except AuthFailure as refused:
            return refused.response()
        page, cursor, more = notices_for_station(store.engine, station, (after, after_id), limit)
        shown = [{k: n[k] for k in ("case_no", "step", "status", "at", "detail", "phone", "attempts")} for n in page]
        return JSONResponse({"notices": shown, "after": cursor[0], "after_id": cursor[1], "more": more,
                             "hub_time": time.time()})
