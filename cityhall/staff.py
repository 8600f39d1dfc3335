"""The staff pages of the city hall, behind a login: the daily digest and the station ranking.

Pages without a session redirect to the login form; the JSON, CSV and XLSX answers
give 401. Every answer carries the hub's security headers (``HubHeaders``) and
``Cache-Control: no-store``. Figures come from ``citywide`` (the stations' own functions).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from station.home import CHINA_TZ
from station.reports import Period
from station.topology import LEVEL_LABELS, LEVELS

from .citywide import DIGEST_SECTION_LABELS, RANKING_COLUMNS, RATE_COLUMNS, all_case_states, city_digest, ranking
from .publish import hub_calendar
from .ranking_export import ranking_csv, ranking_file_stem, ranking_xlsx
from .bodies import BodyTooLarge, read_small_body
from .revocation import revocation_rows
from .staff_accounts import LoginRefused, Session, check_login, close_session, find_session, open_session, session_key
from .staff_session import (
    NO_STORE, SESSION_COOKIE, clear_session_cookie, csrf_matches, login_csrf_matches, new_login_csrf,
    set_login_csrf, set_session_cookie,
)
from .notify.outbox import status_counts
from .store import HubStore

__all__ = ["add_staff_routes"]

_MAX_FORM_BYTES = 4096


class _Staff:
    """What the handlers share: the store, templates, the session key and today's date."""

    def __init__(self, app: FastAPI) -> None:
        self.store: HubStore = app.state.store
        self.templates: Jinja2Templates = app.state.templates
        self.key = session_key(self.store.engine)
        self.app = app

    def today(self) -> date:
        override: Callable[[], date] | None = getattr(self.app.state, "staff_today", None)
        return override() if override else datetime.now(CHINA_TZ).date()

    def session(self, request: Request) -> Session | None:
        return find_session(self.store.engine, self.key, request.cookies.get(SESSION_COOKIE), time.time())

    def page(self, request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
        base = {"cityhall_name": self.store.topology.cityhall.name}
        return self.templates.TemplateResponse(request, template, base | context, status_code=status, headers=NO_STORE)


def add_staff_routes(app: FastAPI) -> None:
    staff = _Staff(app)
    _login_routes(app, staff)
    _digest_routes(app, staff)
    _ranking_routes(app, staff)


def _station_name(staff: _Staff) -> Any:
    topology = staff.store.topology
    return lambda code: topology.get(code).name if code in topology else code


def _to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/staff/login?next={quote(target, safe='')}", status_code=303, headers=NO_STORE)


def _unauthorised() -> Response:
    return JSONResponse({"error": "unauthorised", "reason": "请先登录（/staff/login）"}, status_code=401,
                        headers=NO_STORE)


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

def _login_routes(app: FastAPI, staff: _Staff) -> None:
    def login_page(request: Request, next_url: str, message: str | None = None, status: int = 200) -> Response:
        token = new_login_csrf()
        response = staff.page(request, "staff_login.html", {"next": _safe_next(next_url), "message": message,
                                                            "csrf": token}, status)
        set_login_csrf(response, request, token)
        return response

    @app.get("/staff/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request, next: str = "/staff/") -> Response:  # noqa: A002 - the query's name
        return login_page(request, next)

    @app.post("/staff/login", response_class=HTMLResponse, include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await _form(request)
        next_url = form.get("next", "/staff/")
        if not login_csrf_matches(request, form.get("csrf", "")):
            return login_page(request, next_url, "页面已过期，请重新输入工号和密码", 400)
        try:
            account = await run_in_threadpool(check_login, staff.store.engine, form.get("staff_id", "").strip(),
                                              form.get("password", ""), time.time())
        except LoginRefused as exc:
            return login_page(request, next_url, str(exc), 401)
        cookie = await run_in_threadpool(open_session, staff.store.engine, staff.key, account, time.time())
        response = RedirectResponse(_safe_next(next_url), status_code=303, headers=NO_STORE)
        set_session_cookie(response, request, cookie)
        return response

    @app.post("/staff/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        form = await _form(request)
        session = await run_in_threadpool(staff.session, request)
        if session is None:
            return _to_login(request)
        if not csrf_matches(session, form.get("csrf", "")):
            return JSONResponse({"error": "csrf", "reason": "请求缺少有效的 CSRF 令牌，请刷新页面后再试"},
                                status_code=403, headers=NO_STORE)
        await run_in_threadpool(close_session, staff.store.engine, staff.key, request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/staff/login", status_code=303, headers=NO_STORE)
        clear_session_cookie(response, request)
        return response


# -- the daily digest -----------------------------------------------------------------

def _digest_routes(app: FastAPI, staff: _Staff) -> None:
    def compute() -> Any:
        states = all_case_states(staff.store.engine, staff.store.topology)
        return city_digest(states, hub_calendar(staff.store.engine), staff.today(), staff.store.topology)

    @app.get("/staff/", response_class=HTMLResponse, include_in_schema=False)
    def digest_page(request: Request) -> Response:
        session = staff.session(request)
        if session is None:
            return _to_login(request)
        return staff.page(request, "staff_digest.html", {
            "session": session, "digest": compute(), "sections": DIGEST_SECTION_LABELS, "active": "digest",
            "revocations": revocation_rows(staff.store.engine, _station_name(staff)),
            "notices": status_counts(staff.store.engine)})

    @app.get("/staff", include_in_schema=False)
    def staff_root() -> Response:
        return RedirectResponse("/staff/", status_code=307)

    @app.get("/staff/api/digest", tags=["staff"], summary="Today's city-wide digest, per station (login required)")
    def digest_json(request: Request) -> Response:
        if staff.session(request) is None:
            return _unauthorised()
        return JSONResponse(compute().as_dict() | {"notices": status_counts(staff.store.engine)}, headers=NO_STORE)


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


def _ranking_routes(app: FastAPI, staff: _Staff) -> None:
    def compute(period: Period, level: str | None) -> list[Any]:
        states = all_case_states(staff.store.engine, staff.store.topology)
        return ranking(states, hub_calendar(staff.store.engine), period, staff.store.topology, level)

    def data_request(request: Request, start: str | None, end: str | None,
                     level: str | None) -> tuple[Period, list[Any]] | Response:
        if staff.session(request) is None:
            return _unauthorised()
        try:
            period = _period(start, end, staff.today())
        except _BadPeriod as exc:
            return JSONResponse({"error": "bad_period", "reason": str(exc)}, status_code=400, headers=NO_STORE)
        return period, compute(period, level if level in LEVELS else None)

    @app.get("/staff/ranking", response_class=HTMLResponse, include_in_schema=False)
    def ranking_page(request: Request, start: str | None = None, end: str | None = None,
                     level: str | None = None) -> Response:
        session = staff.session(request)
        if session is None:
            return _to_login(request)
        level = level if level in LEVELS else None
        try:
            period, message = _period(start, end, staff.today()), None
        except _BadPeriod as exc:
            period, message = _period(None, None, staff.today()), str(exc)
        query = f"start={period.start}&end={period.end}" + (f"&level={level}" if level else "")
        return staff.page(request, "staff_ranking.html", {
            "session": session, "rows": compute(period, level), "period": period, "level": level,
            "levels": LEVEL_LABELS, "columns": RANKING_COLUMNS, "rates": RATE_COLUMNS, "query": query,
            "message": message, "active": "ranking"}, 400 if message else 200)

    @app.get("/staff/api/ranking", tags=["staff"], summary="Stations ranked for a period (login required)")
    def ranking_json(request: Request, start: str | None = None, end: str | None = None,
                     level: str | None = None) -> Response:
        answer = data_request(request, start, end, level)
        if isinstance(answer, Response):
            return answer
        period, rows = answer
        return JSONResponse({"from": period.start.isoformat(), "to": period.end.isoformat(),
                             "stations": [row.as_dict() for row in rows]}, headers=NO_STORE)

    @app.get("/staff/ranking.xlsx", tags=["staff"], summary="The ranking as an Excel workbook (login required)")
    def ranking_workbook(request: Request, start: str | None = None, end: str | None = None,
                         level: str | None = None) -> Response:
        answer = data_request(request, start, end, level)
        if isinstance(answer, Response):
            return answer
        period, rows = answer
        body = ranking_xlsx(rows, period, f"{staff.store.topology.cityhall.name} 站点排名")
        return _download(body, f"{ranking_file_stem(period)}.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @app.get("/staff/ranking.csv", tags=["staff"], summary="The ranking as CSV, UTF-8 with BOM (login required)")
    def ranking_table(request: Request, start: str | None = None, end: str | None = None,
                      level: str | None = None) -> Response:
        answer = data_request(request, start, end, level)
        if isinstance(answer, Response):
            return answer
        period, rows = answer
        return _download(ranking_csv(rows), f"{ranking_file_stem(period)}.csv", "text/csv; charset=utf-8")


def _download(body: bytes, file_name: str, media_type: str) -> Response:
    headers = NO_STORE | {"Content-Disposition": f'attachment; filename="{file_name}"'}
    return Response(body, media_type=media_type, headers=headers)
