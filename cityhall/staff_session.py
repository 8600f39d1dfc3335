"""The staff session cookie and CSRF checks, on top of ``staff_accounts``.

The session cookie is HttpOnly, SameSite=Strict, limited to ``/staff`` and Secure when
the request came over HTTPS (directly, or through the proxy's ``X-Forwarded-Proto``).
POST forms carry a CSRF token: the session's own once signed in; before that, the login
form's token must equal a random cookie set with the form (double submit).
"""
from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from .staff_accounts import SESSION_SECONDS, Session

__all__ = ["SESSION_COOKIE", "LOGIN_CSRF_COOKIE", "set_session_cookie", "clear_session_cookie", "is_https",
           "new_login_csrf", "set_login_csrf", "login_csrf_matches", "csrf_matches", "NO_STORE"]

SESSION_COOKIE = "cityhall_staff"
LOGIN_CSRF_COOKIE = "cityhall_login_csrf"
NO_STORE = {"Cache-Control": "no-store"}


def is_https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


def _cookie_options(request: Request) -> dict[str, object]:
    return {"httponly": True, "samesite": "strict", "secure": is_https(request), "path": "/staff"}


def set_session_cookie(response: Response, request: Request, value: str) -> None:
    response.set_cookie(SESSION_COOKIE, value, max_age=SESSION_SECONDS, **_cookie_options(request))  # type: ignore[arg-type]
    response.delete_cookie(LOGIN_CSRF_COOKIE, **_cookie_options(request))  # type: ignore[arg-type]


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, **_cookie_options(request))  # type: ignore[arg-type]


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def set_login_csrf(response: Response, request: Request, token: str) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, **_cookie_options(request))  # type: ignore[arg-type]


def login_csrf_matches(request: Request, submitted: str) -> bool:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(expected) and hmac.compare_digest(expected.encode(), submitted.encode())


def csrf_matches(session: Session, submitted: str) -> bool:
    return bool(submitted) and hmac.compare_digest(session.csrf_token.encode(), submitted.encode())
