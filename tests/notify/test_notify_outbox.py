"""One notice per case and step on SQLite and PostgreSQL: re-pushes, two workers ingesting the
same batch at once, and two senders racing for the same queue never make a second text."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cityhall.db import make_engine, migrate
from cityhall.notify import attach, parse_notify_config
from cityhall.notify.outbox import list_notices
from cityhall.notify.providers import make_provider
from cityhall.notify.sender import NoticeSender
from cityhall.store import HubStore
from station.service import IntakeRequest
from station.topology import Topology
from station.workdays import WorkCalendar
from tests.pg.conftest import fresh_pg_database
from tests.support.demo import DEMO_TOPOLOGY_FILE, VILLAGE
from tests.support.hub import INTAKE_FIELDS, ITEM, make_station

from .conftest import notify_table
from .servers import Recorder, recording_server, webhook_answer

CASES = 12


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    return fresh_pg_database(request.getfixturevalue("pg_url"))


@pytest.fixture
def webhook() -> Iterator[tuple[Recorder, str]]:
    recorder = Recorder(webhook_answer)
    with recording_server(recorder) as url:
        yield recorder, url


def _filed_events(tmp_path: Path) -> list:  # noqa: ANN401 - station events
    service, operator, _ = make_station(tmp_path, VILLAGE, DEMO_TOPOLOGY_FILE)
    for index in range(CASES):
        service.intake(operator, IntakeRequest(ITEM, "11010519491231002X", "曾𠮷", phone=f"1380013{index:04d}",
                                               fields=dict(INTAKE_FIELDS), received=["id_and_hukou", "application_form"],
                                               deferred=["bank_card_copy"]))
    events = service.store.pending_events(1000)
    service.close()
    return events


def test_retries_workers_and_racing_senders_make_one_text_per_step(tmp_path: Path, hub_db: str,
                                                                    webhook: tuple[Recorder, str]) -> None:
    recorder, url = webhook
    config = parse_notify_config(notify_table(url), {})
    assert config is not None
    topology, calendar = Topology.load(DEMO_TOPOLOGY_FILE), WorkCalendar.load()
    engine = make_engine(hub_db)
    migrate(engine)
    workers = [HubStore(make_engine(hub_db), topology) for _ in range(2)]
    for store in workers:
        attach(store, config, lambda: calendar)
    events = _filed_events(tmp_path)

    barrier = threading.Barrier(2)

    def push(store: HubStore) -> None:
        barrier.wait()
        store.ingest(events, VILLAGE, time.time())

    threads = [threading.Thread(target=push, args=(store,)) for store in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    workers[0].ingest(events[:5], VILLAGE, time.time())  # a re-push after a lost answer
    assert len(list_notices(engine)) == CASES

    senders = [NoticeSender(engine, config, make_provider(config), topology, lambda: calendar) for _ in range(3)]
    racers = [threading.Thread(target=sender.run_once) for sender in senders]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(60)
    texts = recorder.wait_for(CASES)
    assert len(texts) == CASES and len({t["id"] for t in texts}) == CASES
    assert sorted(t["phone"] for t in texts) == [f"1380013{i:04d}" for i in range(CASES)]
    assert {n["status"] for n in list_notices(engine)} == {"sent"}
    for sender in senders:
        sender.provider.close()
