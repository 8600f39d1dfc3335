"""A hub in a thread with texts switched on, stations that sync to it, and a clock the test moves.

The sender here is driven by hand (``run_once``) on a :class:`ManualClock`; the app's own
sender thread is not started, because ``stations.toml`` of these tests has no ``[notify]``.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cityhall.notify import NotifyConfig, attach, parse_notify_config
from cityhall.notify.providers import make_provider
from cityhall.notify.sender import NoticeSender
from cityhall.store import HubStore
from station.home import CHINA_TZ, StationHome
from station.service import Operator, StationService
from station.workdays import WorkCalendar
from sync.client import SyncClient
from tests.support.demo import TOWNSHIP, VILLAGE
from tests.support.hub import free_port, in_process_hub, make_station, topology_for

from .servers import Recorder, recording_server, webhook_answer

TEMPLATES = {"received": "SMS_0001", "supplement_requested": "SMS_0002", "accepted": "SMS_0003",
             "decided": "SMS_0004", "deferred_due": "SMS_0005", "voided": "SMS_0006", "rate_invite": "SMS_0007",
             "extended": "SMS_0008", "suspended": "SMS_0009", "resumed": "SMS_0010"}
MONDAY_10AM = datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ)


def notify_table(url: str, **extra: object) -> dict[str, object]:
    return {"provider": "webhook", "url": url, "templates": dict(TEMPLATES), "retry_wait_s": 0.05} | extra


class ManualClock:
    """China time that moves only when a test says so."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Site:
    service: StationService
    operator: Operator

    def sync(self) -> None:
        with SyncClient(self.service, give_up_after=5.0) as client:
            client.sync_once()

    def act(self, case_no: str, kind: str, **options: Any) -> None:
        self.service.act(self.operator, case_no, kind, **options)


@dataclass
class Bench:
    app: Any
    sender: NoticeSender
    clock: ManualClock
    recorder: Recorder
    village: Site
    township: Site
    hub_url: str

    @property
    def store(self) -> HubStore:
        return self.app.state.store


@pytest.fixture
def webhook() -> Iterator[tuple[Recorder, str]]:
    recorder = Recorder(webhook_answer)
    with recording_server(recorder) as url:
        yield recorder, url


@pytest.fixture
def notify_options() -> dict[str, object]:
    """Extra keys of the ``[notify]`` table; tests override this fixture."""
    return {}


@pytest.fixture
def bench(tmp_path: Path, webhook: tuple[Recorder, str], notify_options: dict[str, object]) -> Iterator[Bench]:
    recorder, url = webhook
    config = parse_notify_config(notify_table(url, **notify_options), {})
    assert isinstance(config, NotifyConfig)
    port = free_port()
    topology_file = topology_for(tmp_path, port)
    calendar = WorkCalendar.load()
    with in_process_hub(tmp_path, topology_file, port) as app:
        store = app.state.store
        attach(store, config, lambda: calendar)
        clock = ManualClock(MONDAY_10AM)
        sender = NoticeSender(store.engine, config, make_provider(config), store.topology, lambda: calendar,
                              clock=clock)
        sites = []
        for code, role, agent in ((VILLAGE, "agent", "A01"), (TOWNSHIP, "approver", "T01")):
            first, _, key = make_station(tmp_path, code, topology_file, role=role, agent=agent)
            first.close()
            service = StationService(StationHome(tmp_path / code), clock=clock)
            store.enroll(code, key)
            sites.append(Site(service, service.sign_in(agent, "1234")))
        yield Bench(app, sender, clock, recorder, sites[0], sites[1], f"http://127.0.0.1:{port}")
        sender.provider.close()
        for site in sites:
            site.service.close()
