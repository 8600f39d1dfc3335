"""A city hall process on loopback with stations in two townships, some of them in the wrong hands.

Honest stations are real station homes (SQLite store, key pair, operators) that sync over
HTTP with the real client; hostile ones hold the same kind of home and enrolled key but
send what they like (``forge.Signer``). The township 山坡镇 has the villages 光星村 (honest)
and 和平村; the township 湖泗乡 and its village 夏祠村 belong to another branch of the tree.
"""
from __future__ import annotations

import itertools
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from station.home import CHINA_TZ
from station.ledger import Event, make_case_no
from station.service import Operator, StationService
from sync.client import SyncClient, SyncReport
from tests.support.demo import OTHER_TOWNSHIP, OTHER_VILLAGE, TOWNSHIP, VILLAGE, VILLAGE_2
from tests.support.hub import exchange_keys, file_case, insert_case_row, make_station, run_station, topology_for
from tests.support.hubproc import VENV_BIN, HubProcess, enroll_all, free_port

from .forge import Signer

ROLES = {VILLAGE: "agent", VILLAGE_2: "agent", TOWNSHIP: "approver", OTHER_TOWNSHIP: "approver",
         OTHER_VILLAGE: "agent"}
STAFF_PASSWORD = "督查-2026-secure"
_databases = itertools.count(1)


@dataclass
class Site:
    code: str
    home: Path
    service: StationService
    operator: Operator
    signer: Signer

    def sync(self) -> SyncReport:
        with SyncClient(self.service, give_up_after=10.0) as client:
            return client.sync_once()

    def file(self, forward: bool = True, index: int = 0) -> str:
        return file_case(self.service, self.operator, index=index, forward=forward)

    def tracking_path(self, case_no: str) -> str:
        token = self.service.store.token(case_no)
        assert token, case_no
        return f"/api/v1/track/{case_no}/{token}"

    def first_event(self, case_no: str) -> Event:
        return self.service.store.case_events(case_no)[0]

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return run_station(self.home, *args, timeout=timeout)


@dataclass
class City:
    hub: HubProcess
    folder: Path
    config: Path
    sites: dict[str, Site]
    _spare: int = 0

    @property
    def url(self) -> str:
        return self.hub.url

    @property
    def village(self) -> Site:
        """光星村: the honest village whose cases the others go after."""
        return self.sites[VILLAGE]

    @property
    def township(self) -> Site:
        return self.sites[TOWNSHIP]

    @property
    def neighbour(self) -> Site:
        """和平村, same township as 光星村."""
        return self.sites[VILLAGE_2]

    @property
    def rival_township(self) -> Site:
        """湖泗乡: another township's centre."""
        return self.sites[OTHER_TOWNSHIP]

    @property
    def rival_village(self) -> Site:
        """夏祠村, under 湖泗乡."""
        return self.sites[OTHER_VILLAGE]

    def get(self, path: str, **options: object) -> httpx.Response:
        return httpx.get(self.url + path, timeout=30, **options)  # type: ignore[arg-type]

    def cityhall(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(VENV_BIN / "cityhall"), *args, "--db", self.hub.db_url], capture_output=True,
                              text=True, timeout=60, env=os.environ | (env or {}))

    def spare_case_no(self, station: str) -> str:
        """A well-formed case number of ``station`` for today that no honest intake will reach."""
        self._spare += 1
        return make_case_no(station, datetime.now(CHINA_TZ).date(), 9000 + self._spare)

    def restart_if_down(self) -> None:
        if self.hub.process is None or self.hub.process.poll() is not None:
            self.hub.process = None
            self.hub.start()


def build_city(folder: Path, db_url: str | None = None) -> City:
    port = free_port()
    config = topology_for(folder, port)
    sites: dict[str, Site] = {}
    keys: dict[str, str] = {}
    url = f"http://127.0.0.1:{port}"
    for code, role in ROLES.items():
        service, operator, keys[code] = make_station(folder / "stations", code, config, role=role)
        sites[code] = Site(code, folder / "stations" / code, service, operator,
                           Signer(code, service.signing_key(), url))
    hub_db = db_url or f"sqlite:///{folder / 'cityhall.db'}"
    enroll_all(hub_db, keys)
    hub = HubProcess(hub_db, config, port=port, log=folder / "cityhall.log").start()
    exchange_keys(url, *(site.service for site in sites.values()))
    return City(hub, folder, config, sites)


def fresh_pg_database(server_url: str) -> str:
    """A new, empty database on the session's PostgreSQL server; its URL."""
    import psycopg

    name = f"hostile_{next(_databases)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def close_city(city: City) -> None:
    city.hub.stop()
    for site in city.sites.values():
        site.service.close()


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    """One hub and its stations per module; every test works on cases of its own."""
    built = build_city(tmp_path_factory.mktemp("city"))
    try:
        yield built
    finally:
        close_city(built)


@pytest.fixture
def hub_up(city: City) -> City:
    """The city with its hub running (a test that failed may have left it killed for its memory)."""
    city.restart_if_down()
    return city


def staff_login(city: City, staff_id: str, password: str) -> httpx.Response:
    """Log in to the staff pages as a browser would: fetch the form (CSRF cookie), post it."""
    with httpx.Client(base_url=city.url, follow_redirects=False, timeout=30) as client:
        return staff_form(client).post(staff_id, password)


@dataclass
class StaffForm:
    client: httpx.Client
    csrf: str

    def post(self, staff_id: str, password: str) -> httpx.Response:
        return self.client.post("/staff/login", data={"staff_id": staff_id, "password": password,
                                                      "csrf": self.csrf, "next": "/staff/"})


def staff_form(client: httpx.Client) -> StaffForm:
    import re

    page = client.get("/staff/login")
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return StaffForm(client, match.group(1))


def add_staff(city: City, staff_id: str, password: str = STAFF_PASSWORD) -> None:
    added = city.cityhall("staff", "add", "--id", staff_id, "--name", "陈督查", env={"CITYHALL_PASSWORD": password})
    assert added.returncode == 0, added.stderr


def decided_case(village: Site, township: Site) -> str:
    """A case the village filed and forwarded, the township accepted and approved, and the village
    pulled back: one a citizen may rate."""
    case_no = village.file(forward=True)
    village.sync()
    township.sync()
    township.service.act(township.operator, case_no, "accepted")
    township.service.act(township.operator, case_no, "approved")
    assert township.sync().rejected == 0
    village.sync()
    return case_no


def plant_stored_event(city: City, event: dict, viewers: list[str]) -> None:
    """Write ``event`` into the hub's store as ingest wrote it before the hub checked events' data.

    A city hall that ran older code may hold such events for good; what the hub does with
    them now (show the case as unreadable, skip it in digests, keep the pull moving) is
    what the isolation tests look at, whatever ingest would say about the event today.
    """
    import json
    import time

    from sqlalchemy import insert

    from cityhall import db

    engine = db.make_engine(city.hub.db_url)
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    with engine.begin() as conn:
        turn = db.take_write_lock(conn)
        seq, fseq = turn.next_seq, turn.next_fseq
        conn.execute(insert(db.events).values(seq=seq, id=event["id"], case_no=event["case"], kind=event["kind"],
                                              station=event["station"], hlc=event["hlc"], body=body,
                                              ingested_at=time.time()))
        insert_case_row(conn, event["case"], event["station"], [event["station"], *viewers],
                        token_hash=event["data"]["token_hash"], last_hlc=event["hlc"])
        for offset, viewer in enumerate([event["station"], *viewers]):
            if viewer != event["station"]:
                conn.execute(insert(db.feed).values(fseq=fseq + offset, station=viewer, event_seq=seq))
        db.pass_write_turn(conn, seq + 1, fseq + len(viewers) + 1)
    engine.dispose()
