"""Tamper evidence: the city hall verifies each station's hash chain as events arrive."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from starlette.testclient import TestClient

from cityhall.app import HubSettings, create_app
from station.ledger import Event
from sync.chain import ChainLink, verify_chain
from sync.wire import encode_batch
from tests.support.demo import DEMO_TOPOLOGY_FILE, VILLAGE
from tests.support.simstation import SimStation

PUSH = "/api/v1/sync/push"
CITYHALL_BIN = str(Path(sys.executable).parent / "cityhall")
METRICS_TOKEN = "monitoring-only"
"""The test client is no loopback address: /metrics wants the monitoring token."""


def links(events: list[Event]) -> list[ChainLink]:
    return [ChainLink(e.station, e.id, e.digest(), e.prev, e.hlc) for e in events]


def test_an_unbroken_chain_is_intact_in_any_delivery_order() -> None:
    events = SimStation(VILLAGE).backlog(9)
    assert verify_chain(VILLAGE, reversed(links(events))).status == "intact"


def test_a_missing_event_is_a_gap_that_closes_when_it_arrives() -> None:
    events = SimStation(VILLAGE).backlog(6)
    waiting = verify_chain(VILLAGE, links(events[:2] + events[3:]))
    assert waiting.status == "gap" and events[3].id in waiting.problems[0]
    assert verify_chain(VILLAGE, links(events)).status == "intact"


def test_an_event_rewritten_in_place_breaks_the_chain_once_the_original_shows_up() -> None:
    events = SimStation(VILLAGE).backlog(5)
    rewritten = Event(**(events[2].to_dict() | {"id": "01ZZZZZZZZZZZZZZZZZZZZZZZZ", "data": {"x": 1}}))
    report = verify_chain(VILLAGE, links(events + [rewritten]))
    assert report.status == "broken" and report.first_bad_event is not None


def test_events_reordered_by_the_station_break_the_chain() -> None:
    events = SimStation(VILLAGE).backlog(4)
    swapped = [events[0], Event(**(events[2].to_dict() | {"hlc": events[1].hlc, "id": events[1].id[:-1] + "0"})),
               Event(**(events[1].to_dict() | {"hlc": events[2].hlc}))]
    assert verify_chain(VILLAGE, links(swapped)).status == "broken"


def hub(tmp_path: Path, village: SimStation) -> tuple[TestClient, str]:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    app = create_app(HubSettings(db_url=url, topology_file=DEMO_TOPOLOGY_FILE, metrics_token=METRICS_TOKEN))
    app.state.store.enroll(village.code, village.public_key)
    return TestClient(app), url


def push(client: TestClient, station: SimStation, events: list[Event]) -> list[str]:
    body = encode_batch(events)
    response = client.post(PUSH, content=body, headers=station.headers("POST", PUSH, body))
    assert response.status_code == 200, response.text
    return [a["status"] for a in response.json()["results"]]


def verify(url: str) -> tuple[int, dict]:
    done = subprocess.run([CITYHALL_BIN, "verify", "--db", url, "--json"], capture_output=True, text=True, timeout=60)
    return done.returncode, json.loads(done.stdout)


def test_the_hub_flags_an_event_resent_with_other_content_and_says_which(tmp_path: Path) -> None:
    village = SimStation(VILLAGE)
    client, url = hub(tmp_path, village)
    events = village.backlog(4)
    assert push(client, village, events) == ["accepted"] * 4
    assert verify(url)[0] == 0
    altered = Event(**(events[1].to_dict() | {"data": {"reason": "改过的"}}))
    assert push(client, village, [altered]) == ["duplicate"]
    code, report = verify(url)
    station = report["stations"][0]
    assert code == 1 and station["status"] == "broken" and station["first_bad_event"] == events[1].id
    metrics = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    assert f'cityhall_station_chain_status{{station="{VILLAGE}",status="broken"}} 1' in metrics


def test_an_event_removed_at_the_station_leaves_a_gap_the_hub_reports(tmp_path: Path) -> None:
    village = SimStation(VILLAGE)
    client, url = hub(tmp_path, village)
    events = village.backlog(6)
    push(client, village, events[:2] + events[3:])  # event 3 was deleted from the station's store
    code, report = verify(url)
    assert code == 0 and report["stations"][0]["status"] == "gap"
    assert events[3].id in report["stations"][0]["problems"][0]
    push(client, village, [events[2]])  # it was only late (a bundle): the gap closes
    assert verify(url)[1]["stations"][0]["status"] == "intact"
