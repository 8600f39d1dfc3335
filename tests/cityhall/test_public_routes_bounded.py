"""The hub's public routes hold against hostile clients: a real ``cityhall serve`` on loopback.

A rating is read only while it is small and judged exactly once under concurrency; the
tracking pages keep nothing in caches and refuse no correct token for someone else's
misses; full-width digits never give a 500; ``/metrics`` is not for the public; staff
lockout holds when 40 wrong passwords arrive at once; a strange cookie is only a 4xx.
"""
from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from cityhall import db
from cityhall.db import make_engine
from cityhall.staff_accounts import MAX_FAILURES, add_staff
from station.ledger import display_case_no
from station.service import StationService
from sync.client import SyncClient
from tests.staff.conftest import PASSWORD, login_csrf
from tests.support.demo import TOWNSHIP, VILLAGE
from tests.support.hub import HubProcess, file_case, free_port, in_process_hub, make_station, topology_for


@dataclass
class City:
    hub: HubProcess
    village: StationService
    cases: list[tuple[str, str]]
    """Decided cases (case number, token), one per test that rates."""

    @property
    def url(self) -> str:
        return self.hub.url

    def rated_events(self, case_no: str) -> int:
        engine = make_engine(self.hub.db_url)
        try:
            with engine.connect() as conn:
                return int(conn.execute(select(func.count()).select_from(db.events).where(
                    db.events.c.case_no == case_no, db.events.c.kind == "rated")).scalar() or 0)
        finally:
            engine.dispose()


@contextmanager
def decided_city(folder: Path, cases: int, db_url: str | None = None) -> Iterator[City]:
    """A hub process (SQLite unless ``db_url``), a village and its township, ``cases`` decided cases."""
    port = free_port()
    config = topology_for(folder, port)
    hub = HubProcess(folder, port, config, db_url)
    village, village_agent, village_key = make_station(folder, VILLAGE, config)
    township, approver, township_key = make_station(folder, TOWNSHIP, config, role="approver", agent="P01")
    hub.enroll(VILLAGE, village_key)
    hub.enroll(TOWNSHIP, township_key)
    hub.start(wait=False).wait_ready(timeout=120)  # a loaded test machine can take a while
    try:
        case_nos = [file_case(village, village_agent, index) for index in range(cases)]
        _sync(village)
        _sync(township)
        for case_no in case_nos:
            township.act(approver, case_no, "accepted")
            township.act(approver, case_no, "approved")
        _sync(township)
        yield City(hub, village, [(c, village.store.token(c) or "") for c in case_nos])
    finally:
        hub.stop()
        village.close()
        township.close()


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    with decided_city(tmp_path_factory.mktemp("public"), 4) as decided:
        yield decided


def _sync(service: StationService) -> None:
    with SyncClient(service, give_up_after=5.0) as client:
        client.sync_once()


# -- ratings: exactly once, small, every problem at once -------------------------------

def test_twelve_concurrent_ratings_store_exactly_one_and_the_others_hear_409(city: City) -> None:
    twelve_ratings_at_once(city, *city.cases[0])


def twelve_ratings_at_once(city: City, case_no: str, token: str) -> None:
    url = f"{city.url}/api/v1/track/{case_no}/{token}/rating"
    start = threading.Barrier(12)

    def rate(level: int) -> int:
        with httpx.Client(timeout=30) as client:
            start.wait()
            return client.post(url, json={"level": level, "comment": f"第{level}次"}).status_code

    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(rate, [1 + n % 5 for n in range(12)]))
    assert sorted(codes) == [200] + [409] * 11
    assert city.rated_events(case_no) == 1
    page = httpx.get(f"{city.url}/T/{case_no}/{token}").text
    assert "评价" in page and 'name="level"' not in page  # the form is gone once rated


def test_the_form_rating_that_loses_says_so_on_the_page(city: City) -> None:
    case_no, token = city.cases[1]
    url = f"{city.url}/T/{case_no}/{token}/rating"
    start = threading.Barrier(6)

    def rate(level: int) -> httpx.Response:
        with httpx.Client(timeout=30) as client:
            start.wait()
            return client.post(url, data={"level": str(level), "comment": "窗口很热情"})

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(rate, [5, 4, 3, 2, 1, 5]))
    assert sorted(a.status_code for a in answers) == [303] + [409] * 5
    assert all("只能评价一次" in a.text for a in answers if a.status_code == 409)
    assert city.rated_events(case_no) == 1


def test_a_rating_body_over_4_kib_is_refused_before_it_is_read(city: City) -> None:
    case_no, token = city.cases[2]
    path = f"/api/v1/track/{case_no}/{token}/rating"
    began = time.monotonic()
    # declares 20 MiB and sends none of it: the answer cannot have waited for the body
    head = _raw_request(city.hub.port, f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                       f"Content-Length: {20 << 20}\r\n\r\n".encode())
    assert head.startswith(b"HTTP/1.1 413") and time.monotonic() - began < 5
    # no length declared (chunked): refused after a few KiB while the client could go on for ever
    chunk = b"[" * 8192
    head = _raw_request(city.hub.port, f"POST /T/{case_no}/{token}/rating HTTP/1.1\r\nHost: x\r\n"
                                       "Transfer-Encoding: chunked\r\n\r\n".encode()
                        + f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    unknown = httpx.post(f"{city.url}/T/4201151022032026112299990/{token}/rating", content=b"level=5&comment=" + b"x" * 8192,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert unknown.status_code == 413 and "过长" in unknown.text
    assert httpx.get(f"{city.url}/healthz", timeout=2).status_code == 200
    assert city.rated_events(case_no) == 0


def _raw_request(port: int, data: bytes) -> bytes:
    """Send ``data`` and return the start of the answer, without finishing the request."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        return sock.recv(200)


@pytest.mark.parametrize("body, expected", [
    (b'{"level": 9, "comment": "\\ud800"}', ["评价等级应为 1-5", "无法识别的字符"]),
    (b'{"level": "5", "comment": {"a": 1}}', ["评价等级应为 1-5", "评价意见应为文字"]),
    (b'{"level": true, "comment": "a\\u0000b"}', ["评价等级应为 1-5", "控制字符"]),
    (b'{"level": ' + b"9" * 3000 + b"}", ["评价等级应为 1-5"]),
    (b'{"level": 5, "comment": "' + "好" .encode() * 201 + b'"}', ["最多 200 个字"]),
    (b"[" * 3000, ["请求体应为"]),
    (b"\xff\xfe", ["请求体应为"]),
], ids=["surrogate", "types", "bool-and-nul", "huge-int", "long-comment", "deep", "not-utf8"])
def test_every_problem_of_a_rating_is_listed_at_once(city: City, body: bytes, expected: list[str]) -> None:
    case_no, token = city.cases[2]
    answer = httpx.post(f"{city.url}/api/v1/track/{case_no}/{token}/rating", content=body,
                        headers={"Content-Type": "application/json"})
    assert answer.status_code == 400, answer.text
    problems = answer.json()["problems"]
    assert len(problems) == len(expected) and all(want in got for want, got in zip(expected, problems))


@pytest.mark.parametrize("level", ["²", "５", "-1", "", "9" * 500], ids=["superscript", "full-width", "negative",
                                                                       "empty", "huge"])
def test_a_form_rating_with_a_strange_level_gets_the_page_with_the_reason(city: City, level: str) -> None:
    case_no, token = city.cases[2]
    answer = httpx.post(f"{city.url}/T/{case_no}/{token}/rating", data={"level": level, "comment": ""})
    assert answer.status_code == 400 and "评价等级应为 1-5" in answer.text
    assert city.rated_events(case_no) == 0


# -- tracking pages ---------------------------------------------------------------------

def test_tracking_answers_are_never_cached(city: City) -> None:
    case_no, token = city.cases[3]
    answers = [httpx.get(f"{city.url}/T/{case_no}/{token}"), httpx.get(f"{city.url}/api/v1/track/{case_no}/{token}"),
               httpx.get(f"{city.url}/T/{case_no}/AAAAAAAAAAAAAAAA"),
               httpx.post(f"{city.url}/api/v1/track/{case_no}/{token}/rating", json={"level": 0})]
    assert [a.status_code for a in answers] == [200, 200, 404, 400]
    assert all(a.headers["cache-control"] == "no-store" for a in answers)


def test_full_width_digits_find_the_case_and_foreign_digits_are_a_plain_404(city: City) -> None:
    case_no, token = city.cases[3]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in display_case_no(case_no))
    page = httpx.get(f"{city.url}/T/{full_width}/{token}")
    assert page.status_code == 200 and display_case_no(case_no) in page.text
    assert httpx.get(f"{city.url}/api/v1/track/{full_width}/{token}").json()["case_no"] == case_no
    arabic = "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in case_no)
    for path in (f"/T/{arabic}/{token}", f"/api/v1/track/{arabic}/{token}", f"/T/{case_no}/{'５' * 16}",
                 f"/api/v1/track/{'x' * 5000}/{token}"):
        assert httpx.get(city.url + path).status_code == 404, path


# -- /metrics ---------------------------------------------------------------------------

def test_metrics_answer_loopback_but_not_what_a_proxy_forwards(city: City) -> None:
    assert "cityhall_events_stored" in httpx.get(f"{city.url}/metrics").text
    forwarded = httpx.get(f"{city.url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert forwarded.status_code == 403 and "CITYHALL_METRICS_TOKEN" in forwarded.json()["reason"]


def test_metrics_with_a_token_want_the_token(tmp_path: Path) -> None:
    port = free_port()
    with in_process_hub(tmp_path, topology_for(tmp_path, port), port, metrics_token="s3cret-令牌"):
        url = f"http://127.0.0.1:{port}/metrics"
        assert httpx.get(url).status_code == 403
        assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert httpx.get(url, headers={"Authorization": "Bearer s3cret-令牌".encode()}).status_code == 200


# -- staff login --------------------------------------------------------------------------

def test_forty_concurrent_wrong_passwords_lock_the_account(city: City) -> None:
    engine = make_engine(city.hub.db_url)
    add_staff(engine, "race01", "陈督查", PASSWORD)
    start = threading.Barrier(40)

    def guess(n: int) -> httpx.Response:
        with httpx.Client(base_url=city.url, timeout=60) as client:
            csrf = login_csrf(client)
            start.wait()
            return client.post("/staff/login", data={"staff_id": "race01", "password": f"guess-{n}", "csrf": csrf})

    with ThreadPoolExecutor(40) as pool:
        answers = list(pool.map(guess, range(40)))
    assert all(a.status_code == 401 for a in answers)
    messages = [_login_message(a.text) for a in answers]
    locked = "连续输错密码次数过多，账号已锁定"
    assert sum(locked in m for m in messages) == 40 - MAX_FAILURES  # their passwords were never tried
    assert sorted(m for m in messages if locked not in m) == sorted(["工号或密码不对"] * (MAX_FAILURES - 1) + [
        f"密码连续输错 {MAX_FAILURES} 次，账号已锁定 15 分钟"])
    with httpx.Client(base_url=city.url, timeout=30) as client:
        csrf = login_csrf(client)
        right = client.post("/staff/login", data={"staff_id": "race01", "password": PASSWORD, "csrf": csrf})
    assert right.status_code == 401 and "账号已锁定" in _login_message(right.text)
    engine.dispose()


def _login_message(page: str) -> str:
    found = re.search(r'<p class="message"[^>]*>([^<]*)</p>', page)
    return found.group(1) if found else ""


@pytest.mark.parametrize("cookie", ["é.é", "abc.\u00ff\u00fe", "x" * 3000 + ".y", ".", "a.b.c"],
                         ids=["latin", "latin-signature", "long", "dot", "dots"])
def test_a_strange_staff_cookie_is_a_redirect_or_401_never_500(city: City, cookie: str) -> None:
    headers = {"Cookie": f"cityhall_staff={cookie}".encode("latin-1")}
    page = httpx.get(f"{city.url}/staff/", headers=headers)
    data = httpx.get(f"{city.url}/staff/api/digest", headers=headers)
    assert page.status_code in (302, 303, 307) and data.status_code == 401


def test_a_huge_login_form_is_not_read(city: City) -> None:
    head = _raw_request(city.hub.port, b"POST /staff/login HTTP/1.1\r\nHost: x\r\n"
                                       b"Content-Type: application/x-www-form-urlencoded\r\n"
                                       b"Content-Length: 20000000\r\n\r\nstaff_id=a")
    assert head.split(b" ")[1] in (b"400", b"413")
