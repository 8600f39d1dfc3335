"""The staff pages of the city hall, behind a login: the daily digest and the station ranking.

Pages without a session redirect to the login form; the JSON, CSV and XLSX answers
give 401. Every answer carries the hub's security headers (``HubHeaders``) and
``Cache-Control: no-store``. Figures come from ``citywide`` (the stations' own functions).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from station.reports import Period
from station.topology import LEVEL_LABELS, LEVELS

from ..bodies import BodyTooLarge, read_small_body
from ..citywide import DIGEST_SECTION_LABELS, RANKING_COLUMNS, RATE_COLUMNS, all_case_states, city_digest, ranking
from ..errors import HubError
from ..notify.outbox import status_counts
from ..publish import hub_calendar
from ..ranking_export import ranking_csv, ranking_file_stem, ranking_xlsx
from ..revocation import revocation_rows
from ..staff_accounts import LoginRefused, Session, check_login, close_session, find_session, open_session
from ..staff_session import (
    NO_STORE, SESSION_COOKIE, clear_session_cookie, csrf_matches, login_csrf_matches, new_login_csrf,
    set_login_csrf, set_session_cookie,
)
from ..store import HubStore
from .deps import SessionKey, Store, Templates, Today

__all__ = ["router"]

_MAX_FORM_BYTES = 4096


@dataclass(frozen=True)
class _Staff:
    """What the handlers share: the store, templates, the session key and today's date."""

    store: HubStore
    templates: Jinja2Templates
    key: bytes
    today: date

    def session(self, request: Request) -> Session | None:
        return find_session(self.store.engine, self.key, request.cookies.get(SESSION_COOKIE), time.time())

    def page(self, request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
        base = {"cityhall_name": self.store.topology.cityhall.name}
        return self.templates.TemplateResponse(request, template, base | context, status_code=status, headers=NO_STORE)


def _staff(store: Store, templates: Templates, key: SessionKey, today: Today) -> _Staff:
    return _Staff(store, templates, key, today)


Staff = Annotated[_Staff, Depends(_staff)]
router = APIRouter()


def _station_name(staff: _Staff) -> Any:
    topology = staff.store.topology
    return lambda code: topology.get(code).name if code in topology else code


def _to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/staff/login?next={quote(target, safe='')}", status_code=303, headers=NO_STORE)


def _unauthorised() -> HubError:
    return HubError(401, "unauthorised", "请先登录（/staff/login）", headers=NO_STORE)


def _safe_next(target: str) -> str:
    """Only back into the staff pages: never an open redirect to another site."""
    return target if target.startswith("/staff") and not target.startswith("//") and "\\" not in target else "/staff/"


async def _form(request: Request) -> dict[str, str]:
    """The form's fields; a body over ``_MAX_FORM_BYTES`` reads as an empty form (it is never read whole)."""
    try:
        body = await read_small_body(request, _MAX_FORM_BYTES)
    except BodyTooLarge:
        return {}
    return {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}


# -- login, logout --------------------------------------------------------------------

def _login_page(request: Request, staff: _Staff, next_url: str, message: str | None = None,
                status: int = 200) -> Response:
    token = new_login_csrf()
    response = staff.page(request, "staff_login.html", {"next": _safe_next(next_url), "message": message,
                                                        "csrf": token}, status)
    set_login_csrf(response, request, token)
    return response


@router.get("/staff/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, staff: Staff, next: str = "/staff/") -> Response:  # noqa: A002 - the query's name
    return _login_page(request, staff, next)


@router.post("/staff/login", response_class=HTMLResponse, include_in_schema=False)
async def login(request: Request, staff: Staff) -> Response:
    form = await _form(request)
    next_url = form.get("next", "/staff/")
    if not login_csrf_matches(request, form.get("csrf", "")):
        return _login_page(request, staff, next_url, "页面已过期，请重新输入工号和密码", 400)
    try:
        account = await run_in_threadpool(check_login, staff.store.engine, form.get("staff_id", "").strip(),
                                          form.get("password", ""), time.time())
    except LoginRefused as exc:
        return _login_page(request, staff, next_url, str(exc), 401)
    cookie = await run_in_threadpool(open_session, staff.store.engine, staff.key, account, time.time())
    response = RedirectResponse(_safe_next(next_url), status_code=303, headers=NO_STORE)
    set_session_cookie(response, request, cookie)
    return response


@router.post("/staff/logout", include_in_schema=False)
async def logout(request: Request, staff: Staff) -> Response:
    form = await _form(request)
    session = await run_in_threadpool(staff.session, request)
    if session is None:
        return _to_login(request)
    if not csrf_matches(session, form.get("csrf", "")):
        raise HubError(403, "csrf", "请求缺少有效的 CSRF 令牌，请刷新页面后再试", headers=NO_STORE)
    await run_in_threadpool(close_session, staff.store.engine, staff.key, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/staff/login", status_code=303, headers=NO_STORE)
    clear_session_cookie(response, request)
    return response


# -- the daily digest -----------------------------------------------------------------

def _digest(staff: _Staff) -> Any:
    states = all_case_states(staff.store.engine, staff.store.topology)
    return city_digest(states, hub_calendar(staff.store.engine), staff.today, staff.store.topology)


@router.get("/staff/", response_class=HTMLResponse, include_in_schema=False)
def digest_page(request: Request, staff: Staff) -> Response:
    session = staff.session(request)
    if session is None:
        return _to_login(request)
    return staff.page(request, "staff_digest.html", {
        "session": session, "digest": _digest(staff), "sections": DIGEST_SECTION_LABELS, "active": "digest",
        "revocations": revocation_rows(staff.store.engine, _station_name(staff)),
        "notices": status_counts(staff.store.engine)})


@router.get("/staff", include_in_schema=False)
def staff_root() -> Response:
    return RedirectResponse("/staff/", status_code=307)


@router.get("/staff/api/digest", tags=["staff"], summary="Today's city-wide digest, per station (login required)")
def digest_json(request: Request, staff: Staff) -> Response:
    if staff.session(request) is None:
        raise _unauthorised()
    return JSONResponse(_digest(staff).as_dict() | {"notices": status_counts(staff.store.engine)}, headers=NO_STORE)


# -- the ranking ----------------------------------------------------------------------

class _BadPeriod(ValueError):
    pass


def _period(start: str | None, end: str | None, today: date) -> Period:
    try:
        first = date.fromisoformat(start) if start else today.replace(day=1)
        last = date.fromisoformat(end) if end else today
        return Period(first, last)
    except ValueError as exc:
        raise _BadPeriod(f"统计期间不对（{exc}）：日期写成 2026-11-01，结束不能早于开始") from None


def _ranking(staff: _Staff, period: Period, level: str | None) -> list[Any]:
    states = all_case_states(staff.store.engine, staff.store.topology)
    return ranking(states, hub_calendar(staff.store.engine), period, staff.store.topology, level)


@dataclass(frozen=True)
class _Ranked:
    period: Period
    rows: list[Any]


def _ranked(request: Request, staff: Staff, start: str | None = None, end: str | None = None,
            level: str | None = None) -> _Ranked:
    """The ranking a logged-in request asks for; 401 without a session, 400 for a period that is none."""
    if staff.session(request) is None:
        raise _unauthorised()
    try:
        period = _period(start, end, staff.today)
    except _BadPeriod as exc:
        raise HubError(400, "bad_period", str(exc), headers=NO_STORE) from None
    return _Ranked(period, _ranking(staff, period, level if level in LEVELS else None))


Ranked = Annotated[_Ranked, Depends(_ranked)]


@router.get("/staff/ranking", response_class=HTMLResponse, include_in_schema=False)
def ranking_page(request: Request, staff: Staff, start: str | None = None, end: str | None = None,
                 level: str | None = None) -> Response:
    session = staff.session(request)
    if session is None:
        return _to_login(request)
    level = level if level in LEVELS else None
    try:
        period, message = _period(start, end, staff.today), None
    except _BadPeriod as exc:
        period, message = _period(None, None, staff.today), str(exc)
    query = f"start={period.start}&end={period.end}" + (f"&level={level}" if level else "")
    return staff.page(request, "staff_ranking.html", {
        "session": session, "rows": _ranking(staff, period, level), "period": period, "level": level,
        "levels": LEVEL_LABELS, "columns": RANKING_COLUMNS, "rates": RATE_COLUMNS, "query": query,
        "message": message, "active": "ranking"}, 400 if message else 200)


@router.get("/staff/api/ranking", tags=["staff"], summary="Stations ranked for a period (login required)")
def ranking_json(ranked: Ranked) -> Response:
    return JSONResponse({"from": ranked.period.start.isoformat(), "to": ranked.period.end.isoformat(),
                         "stations": [row.as_dict() for row in ranked.rows]}, headers=NO_STORE)


@router.get("/staff/ranking.xlsx", tags=["staff"], summary="The ranking as an Excel workbook (login required)")
def ranking_workbook(ranked: Ranked, staff: Staff) -> Response:
    body = ranking_xlsx(ranked.rows, ranked.period, f"{staff.store.topology.cityhall.name} 站点排名")
    return _download(body, f"{ranking_file_stem(ranked.period)}.xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@router.get("/staff/ranking.csv", tags=["staff"], summary="The ranking as CSV, UTF-8 with BOM (login required)")
def ranking_table(ranked: Ranked) -> Response:
    return _download(ranking_csv(ranked.rows), f"{ranking_file_stem(ranked.period)}.csv", "text/csv; charset=utf-8")


def _download(body: bytes, file_name: str, media_type: str) -> Response:
    headers = NO_STORE | {"Content-Disposition": f'attachment; filename="{file_name}"'}
    return Response(body, media_type=media_type, headers=headers)
