"""The city hall's ASGI app: sync API, tracking pages, health and metrics (DESIGN §7).

Handlers that touch the database are plain ``def`` (Starlette runs them in its thread
pool) or hand their work to ``run_in_threadpool``, so the event loop never waits on I/O.
"""
from __future__ import annotations

import gc
import hmac
import ipaddress
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from station.home import CHINA_TZ
from station.ledger import Event, EventFormatError, HybridClock, InvalidCaseNo, check_contract, normalise_case_no
from station.topology import Topology
from sync.bundle import BundleError
from sync.ingest import Answer
from sync.wire import MAX_PUSH_INFLATED, Malformed, WireError, decode_events, dicts_to_columns, gzip_json

from .bodies import BodyTooLarge, read_small_body
from .bundles import ingest_relayed_bundle
from .db import make_engine, migrate
from .files import add_file_routes
from .metrics import render_metrics
from .notify.web import add_notify, link_matches
from .publish import PublishedCalendar
from .publish_api import add_publication_routes
from .ratings import MAX_COMMENT_CHARS, RatingInput, rating_from_form, rating_from_json
from .restore import add_restore_routes
from .security import AuthFailure, HubHeaders, MissLimiter, authenticate
from .settings import METRICS_TOKEN_ENV, HubEnvironment
from .staff import add_staff_routes
from .store import HubStore
from .tracking import RATING_LABELS, can_rate, rating_event, token_matches, track_view

__all__ = ["create_app", "HubSettings", "settle_garbage_collector", "METRICS_TOKEN_ENV"]

_HERE = Path(__file__).resolve().parent
MAX_PUSH_BYTES = 8 * 1024 * 1024
MAX_PULL_LIMIT = 5000
_GZIP_JSON = {"Content-Encoding": "gzip"}


@dataclass(frozen=True)
class HubSettings:
    db_url: str
    """``sqlite:///PATH`` (default) or ``postgresql://...``."""
    topology_file: Path
    """The same ``stations.toml`` the stations carry."""
    miss_limit: int = 20
    """Tracking-page misses allowed per client address per ``miss_window_s``."""
    miss_window_s: float = 600.0
    metrics_token: str | None = None
    """``/metrics`` wants ``Authorization: Bearer`` this token; unset, ``env``'s, else loopback clients only."""
    env: HubEnvironment = field(default_factory=HubEnvironment.read)
    """The environment variables (cityhall/settings.py), read once."""


class _NotFound(Exception):
    """The one answer for a wrong token and an unknown case alike."""


def create_app(settings: HubSettings) -> FastAPI:
    engine = make_engine(settings.db_url)
    migrate(engine)
    store = HubStore(engine, Topology.load(settings.topology_file))
    app = FastAPI(title="城市政务服务中心 · 同步与办件查询", version="1", docs_url=None, redoc_url=None)
    app.state.store = store
    app.state.calendar = PublishedCalendar(engine)
    app.state.limiter = MissLimiter(settings.miss_limit, settings.miss_window_s)
    app.state.templates = Jinja2Templates(directory=str(_HERE / "templates"))
    app.state.hub_clock = HybridClock()
    app.add_middleware(HubHeaders)
    app.add_middleware(_PrivateTrackingAnswers)
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")
    _sync_routes(app)
    _tracking_routes(app)
    _ops_routes(app, settings.metrics_token or settings.env.metrics_token)
    add_file_routes(app, settings.db_url, settings.env)
    add_publication_routes(app)
    add_restore_routes(app)
    add_staff_routes(app)
    add_notify(app, settings.topology_file, settings.env.notify_credentials)
    return app


def settle_garbage_collector() -> None:
    """Keep Python's cyclic collector off what lives as long as a city hall process.

    With the default thresholds the collector re-scanned every module, route and cached
    case state a few hundred times per 5,000 ingested events: a quarter of the ingest
    time. What exists after start-up is frozen out of its scans, and young objects are
    collected every 10,000 allocations instead of every 700. ``cityhall serve`` calls
    this once the app is built; it changes the whole process, so ``create_app`` does not.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _error(status: int, error: str, reason: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": error, "reason": reason, "hub_time": time.time(), **extra}, status_code=status)


# -- sync -------------------------------------------------------------------------

_SIGNED = {"parameters": [{"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
                          for h in ("X-Station", "X-Timestamp", "X-Signature")]}
_GZIP_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"type": "string", "format": "binary", "description": "gzip'd column-major event batch"}}}}}


def _sync_routes(app: FastAPI) -> None:
    store: HubStore = app.state.store

    @app.post("/api/v1/sync/push", tags=["sync"], openapi_extra=_SIGNED | _GZIP_BODY,
              summary="Push a batch of this station's events; answered per event after commit")
    async def push(request: Request) -> Response:
        signed = await _signed_body(request, store)
        if isinstance(signed, Response):
            return signed
        station, body = signed
        try:
            decoded, _ = await run_in_threadpool(decode_events, body, MAX_PUSH_INFLATED)
        except WireError as exc:
            return _error(400, "malformed_body", str(exc))
        events = [e for e in decoded if isinstance(e, Event)]
        foreign = sorted({e.station for e in events if e.station != station})
        if foreign:
            return _error(403, "forbidden", f"station {station} cannot push events recorded at {', '.join(foreign)}")
        ingested = iter(await run_in_threadpool(store.ingest, events, station, time.time()))
        answers = [Answer(e.id, "rejected", e.reason) if isinstance(e, Malformed) else next(ingested) for e in decoded]
        if request.query_params.get("answers") == "compact":
            # in request order, no ids: on a 64 kbit/s link the answer must not cost what the batch did
            payload: dict[str, Any] = {"statuses": [a.status for a in answers],
                                       "reasons": {str(i): a.reason for i, a in enumerate(answers) if a.reason}}
        else:
            payload = {"results": [a.to_dict() for a in answers]}
        return Response(gzip_json(payload | {"hub_time": time.time()}), media_type="application/json",
                        headers=_GZIP_JSON)

    @app.post("/api/v1/sync/bundle", tags=["sync"], openapi_extra=_SIGNED | _GZIP_BODY,
              summary="Relay a bundle signed by its origin station (and the bundles it carries)")
    async def relay_bundle(request: Request) -> Response:
        signed = await _signed_body(request, store)
        if isinstance(signed, Response):
            return signed
        try:
            results = await run_in_threadpool(ingest_relayed_bundle, store, signed[1])
        except BundleError as exc:
            return _error(400, "malformed_body", str(exc))
        return JSONResponse({"bundles": results, "hub_time": time.time()})

    @app.get("/api/v1/sync/pull", tags=["sync"], openapi_extra=_SIGNED,
             summary="Events of the cases this station may see, after a cursor, as gzip'd JSON")
    def pull(request: Request, after: int = Query(0, ge=0, le=2**63 - 1), limit: int = Query(1000, ge=1, le=MAX_PULL_LIMIT)) -> Response:
        try:
            station = authenticate(request, b"", store, time.time())
        except AuthFailure as refused:
            return refused.response()
        page = store.pull(station, after, limit)
        payload = {"w": 1, "events": dicts_to_columns(page.events), "cursor": page.cursor,
                   "more": page.more, "hub_time": time.time()}
        return Response(gzip_json(payload), media_type="application/json", headers=_GZIP_JSON)


async def _signed_body(request: Request, store: HubStore) -> tuple[str, bytes] | Response:
    """The signing station and the body; or the refusal (too large, not signed right)."""
    body = await _bounded_body(request)
    if isinstance(body, Response):
        return body
    try:
        return authenticate(request, body, store, time.time()), body
    except AuthFailure as refused:
        return refused.response()


async def _bounded_body(request: Request) -> bytes | Response:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_PUSH_BYTES:
        return _error(413, "too_large", f"body over {MAX_PUSH_BYTES} bytes: send smaller batches")
    body = await request.body()
    if len(body) > MAX_PUSH_BYTES:
        return _error(413, "too_large", f"body over {MAX_PUSH_BYTES} bytes: send smaller batches")
    return body


# -- the citizen's page -----------------------------------------------------------

def _tracking_routes(app: FastAPI) -> None:
    store: HubStore = app.state.store
    templates: Jinja2Templates = app.state.templates
    limiter: MissLimiter = app.state.limiter

    def lookup(request: Request, case_no: str, token: str) -> Any:
        """The case when the token is its own; a miss otherwise, refused once this client missed too often.

        The token is checked before the limiter: a citizen's correct token is never refused
        because others behind the same address (a village's shared link) guessed wrong. A
        miss costs one key lookup, never a fold of the case's history.
        """
        normalised = _case_or_blank(case_no)
        stored_hash = store.token_hash_of(normalised) if normalised and _TRACKING_TOKEN.fullmatch(token) else None
        if stored_hash is not None and (token_matches(stored_hash, token) or link_matches(store.engine, normalised, token)):
            try:
                state = store.case_for_tracking(normalised)[0]
            except _UNREADABLE as exc:
                raise _Unreadable(normalised) from exc
            if state is None:
                raise _Unreadable(normalised)
            return state
        client = request.client.host if request.client else "?"
        if limiter.blocked(client, time.time()):
            raise _RateLimited()
        limiter.record_miss(client, time.time())
        raise _NotFound()

    def view(state: Any) -> dict[str, Any]:
        try:
            return track_view(state, store.topology, app.state.calendar.get(), datetime.now(CHINA_TZ).date()).to_json()
        except _UNREADABLE as exc:
            raise _Unreadable(state.case_no) from exc

    def page(request: Request, case_no: str, token: str, message: str | None = None, status: int = 200) -> Response:
        try:
            case = view(lookup(request, case_no, token))
        except _NotFound:
            return _not_found_page(request, templates, store)
        except _RateLimited:
            return _limited_page(request, templates, store)
        except _Unreadable:
            return _unreadable_page(request, templates, store)
        return templates.TemplateResponse(request, "track.html", {
            "case": case, "token": token.upper(), "cityhall_name": store.topology.cityhall.name,
            "ratings": list(RATING_LABELS.items()), "message": message}, status_code=status)

    @app.get("/T/{case_no}/{token}", response_class=HTMLResponse, tags=["tracking"], summary="The citizen's page")
    def track_page(request: Request, case_no: str, token: str, rated: int = 0) -> Response:
        return page(request, case_no, token, "评价已提交，感谢您的反馈！" if rated else None)

    @app.get("/api/v1/track/{case_no}/{token}", tags=["tracking"], summary="The citizen's page as JSON")
    def track_json(request: Request, case_no: str, token: str) -> Response:
        try:
            state = lookup(request, case_no, token)
            case = view(state)
        except _NotFound:
            return _error(404, "not_found", "没有找到该办件，请核对二维码或查询码")
        except _RateLimited:
            return _error(429, "too_many_misses", "查询失败次数过多，请稍后再试")
        except _Unreadable:
            return _error(409, "unreadable", _UNREADABLE_TEXT)
        return JSONResponse({k: v for k, v in case.items() if k not in ("can_rate",)} | {"can_rate": can_rate(state)})

    def rate(request: Request, case_no: str, token: str, rating: RatingInput) -> tuple[int, str]:
        try:
            state = lookup(request, case_no, token)
        except _NotFound:
            return 404, "没有找到该办件，请核对二维码或查询码"
        except _RateLimited:
            return 429, "查询失败次数过多，请稍后再试"
        except _Unreadable:
            return 409, _UNREADABLE_TEXT
        if not can_rate(state):
            return 409, "办结后才能评价，每个办件只能评价一次"
        event = rating_event(state, rating.level, rating.comment, store.topology, datetime.now(CHINA_TZ),
                             app.state.hub_clock)
        try:
            check_contract(event)
        except EventFormatError as exc:
            return 400, f"评价内容无法保存：{exc}"
        # Judged again under the hub's write lock: of two ratings racing past can_rate, one is stored.
        answer = store.ingest([event], store.topology.cityhall.code, time.time())[0]
        return (200, "ok") if answer.status == "accepted" else (409, answer.reason or "该办件已经评价过，每个办件只能评价一次")

    @app.post("/api/v1/track/{case_no}/{token}/rating", tags=["tracking"], summary="Rate the service (1-5)",
              openapi_extra=_RATING_BODY)
    async def rate_json(request: Request, case_no: str, token: str) -> Response:
        try:
            body = await read_small_body(request)
        except BodyTooLarge as refused:
            return _error(413, "too_large", str(refused))
        rating, problems = rating_from_json(body)
        if rating is None:
            return _error(400, "malformed_body", "；".join(problems), problems=problems)
        status, reason = await run_in_threadpool(rate, request, case_no, token, rating)
        if status != 200:
            return _error(status, "rating_refused", reason)
        return JSONResponse({"ok": True})

    @app.post("/T/{case_no}/{token}/rating", response_class=HTMLResponse, tags=["tracking"], include_in_schema=False)
    async def rate_form(request: Request, case_no: str, token: str) -> Response:
        try:
            body = await read_small_body(request)
        except BodyTooLarge:
            return _too_large_page(request, templates, store)
        rating, problems = rating_from_form(body)
        if rating is None:
            return await run_in_threadpool(page, request, case_no, token, "；".join(problems), 400)
        status, reason = await run_in_threadpool(rate, request, case_no, token, rating)
        if status == 200:
            return RedirectResponse(f"/T/{case_no}/{token}?rated=1", status_code=303)
        if status == 404:
            return await run_in_threadpool(_not_found_page, request, templates, store)
        return await run_in_threadpool(page, request, case_no, token, reason, status)


_TRACKING_TOKEN = re.compile(r"[A-Za-z2-7]{16}")
"""The shape of a receipt's token (base32, any case): anything else is a miss without a lookup."""
_RATING_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["level"], "properties": {
        "level": {"type": "integer", "minimum": 1, "maximum": 5},
        "comment": {"type": "string", "maxLength": MAX_COMMENT_CHARS}}}}}}}


def _case_or_blank(case_no: str) -> str:
    try:
        return normalise_case_no(case_no)
    except InvalidCaseNo:
        return ""


class _RateLimited(Exception):
    pass


class _Unreadable(Exception):
    """A case whose stored history cannot be shown: said so on its own page, nowhere else."""


_UNREADABLE = (ValueError, TypeError, KeyError, AttributeError)
_UNREADABLE_TEXT = "该办件的办理记录暂时无法显示，请联系受理站点核实；其他办件不受影响。"


def _unreadable_page(request: Request, templates: Jinja2Templates, store: HubStore) -> Response:
    return templates.TemplateResponse(request, "not_found.html", {
        "cityhall_name": store.topology.cityhall.name, "headline": "办件记录暂时无法显示",
        "detail": _UNREADABLE_TEXT}, status_code=409)


def _not_found_page(request: Request, templates: Jinja2Templates, store: HubStore) -> Response:
    return templates.TemplateResponse(request, "not_found.html", {
        "cityhall_name": store.topology.cityhall.name, "headline": "没有找到该办件",
        "detail": "请核对二维码或查询码；办件刚提交时，可能要等服务站联网后才能查到。"}, status_code=404)


def _too_large_page(request: Request, templates: Jinja2Templates, store: HubStore) -> Response:
    return templates.TemplateResponse(request, "not_found.html", {
        "cityhall_name": store.topology.cityhall.name, "headline": "提交的内容过长",
        "detail": f"评价意见最多 {MAX_COMMENT_CHARS} 个字，请返回上一页精简后再提交。"}, status_code=413)


def _limited_page(request: Request, templates: Jinja2Templates, store: HubStore) -> Response:
    return templates.TemplateResponse(request, "not_found.html", {
        "cityhall_name": store.topology.cityhall.name, "headline": "查询过于频繁",
        "detail": "查询失败次数过多，请 10 分钟后再试。"}, status_code=429)


# -- operations -------------------------------------------------------------------

def _ops_routes(app: FastAPI, metrics_token: str | None) -> None:
    store: HubStore = app.state.store

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, Any]:
        return {"ok": True, "events": store.event_total(), "hub_time": time.time()}

    @app.get("/metrics", tags=["ops"], response_class=PlainTextResponse)
    def metrics(request: Request) -> Response:
        if not _may_scrape(request, metrics_token):
            how = "Authorization: Bearer $" + METRICS_TOKEN_ENV if metrics_token else f"set {METRICS_TOKEN_ENV}"
            return _error(403, "forbidden", f"/metrics is for the city hall's monitoring only ({how})")
        return PlainTextResponse(render_metrics(store), media_type="text/plain; version=0.0.4")


def _may_scrape(request: Request, metrics_token: str | None) -> bool:
    """With a token: whoever presents it. Without: a client on this machine, not relayed by a proxy.

    The reverse proxy also connects from loopback, so a request it forwarded (it says so in
    ``X-Forwarded-For`` / ``Forwarded``) counts as coming from outside.
    """
    if metrics_token:
        presented = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(presented.encode("latin-1", "replace"), metrics_token.encode("utf-8"))  # raw header bytes
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False
    try:
        return request.client is not None and ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


class _PrivateTrackingAnswers:
    """``Cache-Control: no-store`` on every answer of the citizen's pages: a shared phone or proxy keeps none."""

    _PREFIXES = ("/T/", "/api/v1/track/")

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self._PREFIXES):
            await self.app(scope, receive, send)
            return

        async def send_private(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message["headers"] = [*headers, (b"cache-control", b"no-store")]
            await send(message)

        await self.app(scope, receive, send_private)
