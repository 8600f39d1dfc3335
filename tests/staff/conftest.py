"""A city hall in a thread with two villages and their township that worked November 2026."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from cityhall.staff_accounts import add_staff
from tests.support.demo import TOWNSHIP, VILLAGE, VILLAGE_2
from tests.support.hub import free_port, in_process_hub, topology_for

from .scenario import City, Clock, november, open_site

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PASSWORD = "村村通-2026-secure"
HUB_TODAY = date(2026, 11, 20)


class Hub:
    def __init__(self, url: str, app: object, city: City, folder: Path) -> None:
        self.url, self.app, self.city, self.folder = url, app, city, folder

    @property
    def engine(self):  # noqa: ANN201
        return self.app.state.store.engine  # type: ignore[attr-defined]

    def add_staff(self, staff_id: str, name: str = "陈督查", password: str = PASSWORD) -> None:
        add_staff(self.engine, staff_id, name, password)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=10)


def login_csrf(client: httpx.Client) -> str:
    page = client.get("/staff/login")
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


def log_in(client: httpx.Client, staff_id: str, password: str = PASSWORD) -> httpx.Response:
    csrf = login_csrf(client)
    return client.post("/staff/login", data={"staff_id": staff_id, "password": password, "csrf": csrf,
                                             "next": "/staff/ranking"})


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    folder = tmp_path_factory.mktemp("staff")
    port = free_port()
    config = topology_for(folder, port)
    clock = Clock()
    with in_process_hub(folder, config, port) as app:
        app.state.staff_today = lambda: HUB_TODAY  # type: ignore[attr-defined]
        sites = {}
        for code, role in ((VILLAGE, "agent"), (VILLAGE_2, "agent"), (TOWNSHIP, "approver")):
            sites[code], key = open_site(folder, code, config, clock, role)
            app.state.store.enroll(code, key)  # type: ignore[attr-defined]
        city = City(clock, sites)
        november(city)
        yield Hub(f"http://127.0.0.1:{port}", app, city, folder)
        city.close()
