"""The public routes on a PostgreSQL hub: staff lockout under 40 racing wrong passwords, and no 500
for text PostgreSQL refuses outright (NUL, full-width digits, over-long values) on the tracking
and login routes. A real ``cityhall serve`` on loopback, on the session's real PostgreSQL."""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from cityhall.db import make_engine, migrate
from cityhall.staff_accounts import MAX_FAILURES, add_staff
from tests.cityhall.test_public_routes_bounded import decided_city, twelve_ratings_at_once
from tests.staff.conftest import PASSWORD, login_csrf
from tests.support.demo import DEMO_TOPOLOGY_FILE
from tests.support.hubproc import HubProcess

from .conftest import fresh_pg_database


@pytest.fixture(scope="module")
def pg_hub(pg_url: str) -> Iterator[HubProcess]:
    url = fresh_pg_database(pg_url)
    engine = make_engine(url)
    migrate(engine)
    add_staff(engine, "pgrace", "陈督查", PASSWORD)
    engine.dispose()
    hub = HubProcess(url, DEMO_TOPOLOGY_FILE).start(wait_s=120)
    yield hub
    hub.stop()


def test_twelve_racing_ratings_store_one_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    with decided_city(tmp_path, 1, fresh_pg_database(pg_url)) as city:
        twelve_ratings_at_once(city, *city.cases[0])


def _message(page: str) -> str:
    found = re.search(r'<p class="message"[^>]*>([^<]*)</p>', page)
    return found.group(1) if found else ""


def test_forty_racing_wrong_passwords_lock_the_account_on_postgresql(pg_hub: HubProcess) -> None:
    start = threading.Barrier(40)

    def guess(n: int) -> str:
        with httpx.Client(base_url=pg_hub.url, timeout=60) as client:
            csrf = login_csrf(client)
            start.wait()
            answer = client.post("/staff/login", data={"staff_id": "pgrace", "password": f"guess-{n}", "csrf": csrf})
            assert answer.status_code == 401
            return _message(answer.text)

    with ThreadPoolExecutor(40) as pool:
        messages = list(pool.map(guess, range(40)))
    assert sum("账号已锁定，请" in m for m in messages) == 40 - MAX_FAILURES
    with httpx.Client(base_url=pg_hub.url, timeout=30) as client:
        csrf = login_csrf(client)
        right = client.post("/staff/login", data={"staff_id": "pgrace", "password": PASSWORD, "csrf": csrf})
    assert right.status_code == 401 and "账号已锁定" in _message(right.text)


@pytest.mark.parametrize("path", [
    "/T/4201151022032026112200%0075/AAAAAAAAAAAAAAAA", "/api/v1/track/%00/AAAAAAAAAAAAAAAA",
    "/T/４２０１１５１０２２０３２０２６１１２２０００７５/AAAAAAAAAAAAAAAA",
    "/api/v1/track/4201151022032026112200075/AAAA%00AAAAAAAAAAA", "/T/" + "9" * 5000 + "/AAAAAAAAAAAAAAAA",
    "/api/v1/track/420115102203-20261122-0007-5/" + "A" * 40,
], ids=["nul-case", "nul-only", "full-width", "nul-token", "long-case", "long-token"])
def test_tracking_lookups_that_postgresql_would_refuse_are_a_plain_404(pg_hub: HubProcess, path: str) -> None:
    assert httpx.get(pg_hub.url + path, timeout=30).status_code == 404


@pytest.mark.parametrize("staff_id", ["a\x00b", "工" * 40, "\ud800"], ids=["nul", "long", "surrogate"])
def test_a_login_with_an_id_postgresql_cannot_hold_is_refused_like_a_wrong_one(pg_hub: HubProcess,
                                                                                 staff_id: str) -> None:
    with httpx.Client(base_url=pg_hub.url, timeout=30) as client:
        csrf = login_csrf(client)
        body = f"staff_id={staff_id}&password=x&csrf={csrf}".encode("utf-8", "surrogatepass")
        answer = client.post("/staff/login", content=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 401 and _message(answer.text) == "工号或密码不对"
