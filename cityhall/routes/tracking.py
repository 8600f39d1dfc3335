"""The citizen's page: ``/T/{case}/{token}`` (HTML), ``/api/v1/track/...`` (JSON), and the rating.

A wrong token and an unknown case get the same answer; misses are counted per client
address (:class:`~cityhall.security.MissLimiter`), but a correct token is always answered.
The JSON routes answer a refusal as the hub's JSON error; the pages show their own page.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from station.home import CHINA_TZ
from station.ledger import EventFormatError, HybridClock, InvalidCaseNo, check_contract, normalise_case_no

from ..bodies import BodyTooLarge, read_small_body
from ..errors import HubError
from ..notify.web import link_matches
from ..publish import PublishedCalendar
from ..ratings import MAX_COMMENT_CHARS, RatingInput, rating_from_form, rating_from_json
from ..security import MissLimiter
from ..store import HubStore
from ..tracking import RATING_LABELS, can_rate, rating_event, token_matches, track_view
from .deps import Calendar, Clock, Limiter, Store, Templates

__all__ = ["router", "TrackingRefused", "NOT_FOUND_TEXT", "UNREADABLE_TEXT"]

NOT_FOUND_TEXT = "没有找到该办件，请核对二维码或查询码"
TOO_MANY_TEXT = "查询失败次数过多，请稍后再试"
UNREADABLE_TEXT = "该办件的办理记录暂时无法显示，请联系受理站点核实；其他办件不受影响。"
_UNREADABLE = (ValueError, TypeError, KeyError, AttributeError)
"""What folding a stored history that breaks today's rules raises: that case cannot be shown, no other is touched."""
_TRACKING_TOKEN = re.compile(r"[A-Za-z2-7]{16}")
"""The shape of a receipt's token (base32, any case): anything else is a miss without a lookup."""
_RATING_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["level"], "properties": {
        "level": {"type": "integer", "minimum": 1, "maximum": 5},
        "comment": {"type": "string", "maxLength": MAX_COMMENT_CHARS}}}}}}}

router = APIRouter(tags=["tracking"])


@dataclass(frozen=True)
class _Desk:
    """What the citizen's routes use of the app's state."""

    store: HubStore
    limiter: MissLimiter
    calendar: PublishedCalendar
    templates: Jinja2Templates
    clock: HybridClock


def _desk(store: Store, limiter: Limiter, calendar: Calendar, templates: Templates, clock: Clock) -> _Desk:
    return _Desk(store, limiter, calendar, templates, clock)


Desk = Annotated[_Desk, Depends(_desk)]


class TrackingRefused(HubError):
    """404 (a miss: unknown case or wrong token alike), 429 (this client missed too often), 409 (cannot be shown)."""


def _not_found() -> TrackingRefused:
    return TrackingRefused(404, "not_found", NOT_FOUND_TEXT)


def _unreadable() -> TrackingRefused:
    return TrackingRefused(409, "unreadable", UNREADABLE_TEXT)


def lookup(request: Request, case_no: str, token: str, desk: _Desk) -> Any:
    """The case when the token is its own; a miss otherwise, refused once this client missed too often.

    The token is checked before the limiter: a citizen's correct token is never refused
    because others behind the same address (a village's shared link) guessed wrong. A
    miss costs one key lookup, never a fold of the case's history.
    """
    store, limiter = desk.store, desk.limiter
    normalised = _case_or_blank(case_no)
    stored_hash = store.token_hash_of(normalised) if normalised and _TRACKING_TOKEN.fullmatch(token) else None
    if stored_hash is not None and (token_matches(stored_hash, token) or link_matches(store.engine, normalised, token)):
        try:
            state = store.case_for_tracking(normalised)[0]
        except _UNREADABLE as exc:
            raise _unreadable() from exc
        if state is None:
            raise _unreadable()
        return state
    client = request.client.host if request.client else "?"
    if limiter.blocked(client, time.time()):
        raise TrackingRefused(429, "too_many_misses", TOO_MANY_TEXT)
    limiter.record_miss(client, time.time())
    raise _not_found()


def _case_or_blank(case_no: str) -> str:
    try:
        return normalise_case_no(case_no)
    except InvalidCaseNo:
        return ""


def _view(state: Any, desk: _Desk) -> dict[str, Any]:
    try:
        return track_view(state, desk.store.topology, desk.calendar.get(), datetime.now(CHINA_TZ).date()).to_json()
    except _UNREADABLE as exc:
        raise _unreadable() from exc


@router.get("/api/v1/track/{case_no}/{token}", summary="The citizen's page as JSON")
def track_json(request: Request, case_no: str, token: str, desk: Desk) -> Response:
    state = lookup(request, case_no, token, desk)
    case = _view(state, desk)
    return JSONResponse({k: v for k, v in case.items() if k not in ("can_rate",)} | {"can_rate": can_rate(state)})


# -- the page -----------------------------------------------------------------------

def _page(request: Request, case_no: str, token: str, desk: _Desk, message: str | None = None,
          status: int = 200) -> Response:
    try:
        case = _view(lookup(request, case_no, token, desk), desk)
    except TrackingRefused as refused:
        return _refused_page(request, desk, refused.status)
    return desk.templates.TemplateResponse(request, "track.html", {
        "case": case, "token": token.upper(), "cityhall_name": desk.store.topology.cityhall.name,
        "ratings": list(RATING_LABELS.items()), "message": message}, status_code=status)


_REFUSED_PAGES = {
    404: ("没有找到该办件", "请核对二维码或查询码；办件刚提交时，可能要等服务站联网后才能查到。"),
    429: ("查询过于频繁", "查询失败次数过多，请 10 分钟后再试。"),
    409: ("办件记录暂时无法显示", UNREADABLE_TEXT),
    413: ("提交的内容过长", f"评价意见最多 {MAX_COMMENT_CHARS} 个字，请返回上一页精简后再提交。"),
}


def _refused_page(request: Request, desk: _Desk, status: int) -> Response:
    headline, detail = _REFUSED_PAGES[status]
    return desk.templates.TemplateResponse(request, "not_found.html", {
        "cityhall_name": desk.store.topology.cityhall.name, "headline": headline, "detail": detail}, status_code=status)


@router.get("/T/{case_no}/{token}", response_class=HTMLResponse, summary="The citizen's page")
def track_page(request: Request, case_no: str, token: str, desk: Desk, rated: int = 0) -> Response:
    return _page(request, case_no, token, desk, "评价已提交，感谢您的反馈！" if rated else None)


# -- the rating ---------------------------------------------------------------------

def _rate(request: Request, case_no: str, token: str, rating: RatingInput, desk: _Desk) -> tuple[int, str]:
    store = desk.store
    try:
        state = lookup(request, case_no, token, desk)
    except TrackingRefused as refused:
        return refused.status, refused.reason
    if not can_rate(state):
        return 409, "办结后才能评价，每个办件只能评价一次"
    event = rating_event(state, rating.level, rating.comment, store.topology, datetime.now(CHINA_TZ), desk.clock)
    try:
        check_contract(event)
    except EventFormatError as exc:
        return 400, f"评价内容无法保存：{exc}"
    # Judged again under the hub's write lock, against the case as it stands then (whatever this or
    # another worker's clock said): of two ratings racing past can_rate, one is stored.
    answer = store.ingest([event], store.topology.cityhall.code, time.time())[0]
    return (200, "ok") if answer.status == "accepted" else (409, answer.reason or "该办件已经评价过，每个办件只能评价一次")


@router.post("/api/v1/track/{case_no}/{token}/rating", summary="Rate the service (1-5)", openapi_extra=_RATING_BODY)
async def rate_json(request: Request, case_no: str, token: str, desk: Desk) -> Response:
    try:
        body = await read_small_body(request)
    except BodyTooLarge as refused:
        raise HubError(413, "too_large", str(refused)) from None
    rating, problems = rating_from_json(body)
    if rating is None:
        raise HubError(400, "malformed_body", "；".join(problems), problems=problems)
    status, reason = await run_in_threadpool(_rate, request, case_no, token, rating, desk)
    if status != 200:
        raise HubError(status, "rating_refused", reason)
    return JSONResponse({"ok": True})


@router.post("/T/{case_no}/{token}/rating", response_class=HTMLResponse, include_in_schema=False)
async def rate_form(request: Request, case_no: str, token: str, desk: Desk) -> Response:
    try:
        body = await read_small_body(request)
    except BodyTooLarge:
        return _refused_page(request, desk, 413)
    rating, problems = rating_from_form(body)
    if rating is None:
        return await run_in_threadpool(_page, request, case_no, token, desk, "；".join(problems), 400)
    status, reason = await run_in_threadpool(_rate, request, case_no, token, rating, desk)
    if status == 200:
        return RedirectResponse(f"/T/{case_no}/{token}?rated=1", status_code=303)
    if status == 404:
        return await run_in_threadpool(_refused_page, request, desk, 404)
    return await run_in_threadpool(_page, request, case_no, token, desk, reason, status)
