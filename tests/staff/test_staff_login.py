"""The staff pages are never open without a login: redirects, 401s, lockout, CSRF, cookie flags."""
from __future__ import annotations

import os
import re
import subprocess

import httpx
import pytest

from cityhall.staff_accounts import MAX_FAILURES, hash_password, verify_password
from tests.support.hub import VENV_BIN

from .conftest import PASSWORD, Hub, log_in, login_csrf

DATA_PATHS = ["/staff/api/digest", "/staff/api/ranking", "/staff/ranking.xlsx", "/staff/ranking.csv"]


def test_password_hash_is_salted_scrypt() -> None:
    first, second = hash_password("一二三四五六七八九十"), hash_password("一二三四五六七八九十")
    assert first.startswith("scrypt$16384$8$1$") and first != second
    assert verify_password("一二三四五六七八九十", first) and not verify_password("一二三四五六七八九", first)
    assert not verify_password("anything", "not-a-hash")


@pytest.mark.parametrize("path", ["/staff/", "/staff/ranking?start=2026-11-01"])
def test_pages_redirect_to_login_without_a_session(hub: Hub, path: str) -> None:
    with hub.client() as client:
        answer = client.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/staff/login?next=%2Fstaff%2F")
    assert "站点" not in answer.text


@pytest.mark.parametrize("path", DATA_PATHS)
def test_data_answers_401_without_a_session_and_with_a_forged_cookie(hub: Hub, path: str) -> None:
    with hub.client() as client:
        assert client.get(path).status_code == 401
        client.cookies.set("cityhall_staff", "forged.0000", domain="127.0.0.1", path="/staff")
        assert client.get(path).status_code == 401


def test_wrong_password_refused_then_login_sets_a_strict_cookie(hub: Hub) -> None:
    hub.add_staff("login01", "陈督查")
    with hub.client() as client:
        wrong = log_in(client, "login01", "not-the-password")
        unknown = log_in(client, "nobody", PASSWORD)
        assert wrong.status_code == unknown.status_code == 401
        message = re.compile(r'<p class="message" role="alert" id="message">([^<]*)</p>')
        assert message.search(wrong.text)[1] == message.search(unknown.text)[1] == "工号或密码不对"  # type: ignore[index]
        right = log_in(client, "login01")
        assert right.status_code == 303 and right.headers["location"] == "/staff/ranking"
        cookie = next(v for k, v in right.headers.multi_items() if k == "set-cookie" and v.startswith("cityhall_staff="))
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/staff" in cookie
        assert "Secure" not in cookie  # plain http on loopback
        page = client.get("/staff/")
    assert page.status_code == 200 and "今日提醒" in page.text and "陈督查" in page.text
    for header in ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy"):
        assert header in page.headers
    assert page.headers["cache-control"] == "no-store"


def test_cookie_is_secure_behind_https(hub: Hub) -> None:
    hub.add_staff("login02")
    with hub.client() as client:
        csrf = login_csrf(client)
        answer = client.post("/staff/login", headers={"X-Forwarded-Proto": "https"},
                             data={"staff_id": "login02", "password": PASSWORD, "csrf": csrf})
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith("cityhall_staff="))
    assert answer.status_code == 303 and "Secure" in cookie


def test_lockout_after_repeated_failures_refuses_even_the_right_password(hub: Hub) -> None:
    hub.add_staff("login03")
    with hub.client() as client:
        answers = [log_in(client, "login03", f"wrong-{n}") for n in range(MAX_FAILURES)]
        assert [a.status_code for a in answers] == [401] * MAX_FAILURES
        assert "密码连续输错 5 次，账号已锁定 15 分钟" in answers[-1].text
        locked = log_in(client, "login03")
        assert locked.status_code == 401 and "账号已锁定" in locked.text
        assert client.get("/staff/api/digest").status_code == 401
    hub.add_staff("login03")  # an administrator resets the password: unlocked
    with hub.client() as client:
        assert log_in(client, "login03").status_code == 303


def test_login_without_the_form_token_is_refused(hub: Hub) -> None:
    hub.add_staff("login04")
    with hub.client() as client:
        answer = client.post("/staff/login", data={"staff_id": "login04", "password": PASSWORD, "csrf": "guess"})
    assert answer.status_code == 400 and "cityhall_staff=" not in answer.headers.get("set-cookie", "")


def test_next_never_leaves_the_staff_pages(hub: Hub) -> None:
    hub.add_staff("login05")
    with hub.client() as client:
        csrf = login_csrf(client)
        answer = client.post("/staff/login", data={"staff_id": "login05", "password": PASSWORD, "csrf": csrf,
                                                     "next": "https://evil.example/staff"})
    assert answer.headers["location"] == "/staff/"


def test_logout_needs_the_csrf_token_and_ends_the_session(hub: Hub) -> None:
    hub.add_staff("login06")
    with hub.client() as client:
        log_in(client, "login06")
        session_cookie = client.cookies.get("cityhall_staff")
        page = client.get("/staff/").text
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        assert client.post("/staff/logout", data={"csrf": "wrong"}).status_code == 403
        assert client.get("/staff/api/digest").status_code == 200
        out = client.post("/staff/logout", data={"csrf": token})
        assert out.status_code == 303 and out.headers["location"] == "/staff/login"
    with httpx.Client(base_url=hub.url, follow_redirects=False) as replay:
        replay.cookies.set("cityhall_staff", session_cookie, domain="127.0.0.1", path="/staff")
        assert replay.get("/staff/api/digest").status_code == 401  # the old cookie is dead at the hub


def test_cli_adds_staff_with_the_password_from_the_environment(hub: Hub) -> None:
    db = f"sqlite:///{hub.folder / 'hub.db'}"
    env = os.environ | {"CITYHALL_PASSWORD": "镇街督查-2026-pass"}
    added = subprocess.run([str(VENV_BIN / "cityhall"), "staff", "add", "--id", "cli01", "--name", "刘主任",
                            "--db", db], env=env, capture_output=True, text=True, timeout=30)
    assert added.returncode == 0, added.stderr
    no_password = subprocess.run([str(VENV_BIN / "cityhall"), "staff", "add", "--id", "cli02", "--name", " ",
                                  "--db", db], env={k: v for k, v in env.items() if k != "CITYHALL_PASSWORD"},
                                 capture_output=True, text=True, timeout=30)
    assert no_password.returncode == 2
    assert no_password.stderr.count("\n") == 2 and "CITYHALL_PASSWORD" in no_password.stderr
    with hub.client() as client:
        assert log_in(client, "cli01", "镇街督查-2026-pass").status_code == 303
