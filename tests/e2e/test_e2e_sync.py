"""End to end with real processes: the queue survives a city hall that is down, drains when
it comes up, decisions travel back, the citizen's page shows them; SIGKILL loses nothing."""
from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import text

from cityhall.db import make_engine

from station.errors import Unreachable
from sync.client import AdaptiveBatch, SyncClient, SyncReport
from tests.support.demo import TOWNSHIP, VILLAGE, VILLAGE_2
from tests.support.hub import INTAKE_FIELDS, ITEM, HubProcess, file_case, json_of, make_station, run_station


def _init(tmp_path: Path, hub: HubProcess, code: str, agent: str, role: str) -> Path:
    home = tmp_path / code
    key = json_of(run_station(home, "init", "--station", code, "--config", str(hub.config), "--json"))["public_key"]
    assert run_station(home, "agent", "add", "--id", agent, "--name", "李四", "--role", role).returncode == 0
    hub.enroll(code, key)
    return home


def _sync(home: Path) -> dict:
    result = run_station(home, "sync", "--json")
    assert result.returncode == 0, result.stderr
    return json_of(result)


def test_queue_survives_a_down_city_hall_then_decisions_come_back(tmp_path: Path, hub: HubProcess) -> None:
    village = _init(tmp_path, hub, VILLAGE, "A01", "agent")
    neighbour = _init(tmp_path, hub, VILLAGE_2, "A02", "agent")
    township = _init(tmp_path, hub, TOWNSHIP, "T01", "approver")
    fields = [arg for key, value in INTAKE_FIELDS.items() for arg in ("--field", f"{key}={value}")]
    intake = json_of(run_station(village, "intake", "--json", "--agent", "A01", "--item", ITEM,
                                 "--applicant-id", "11010519491231002X", "--applicant-name", "曾𠮷", *fields,
                                 "--received", "id_and_hukou", "--received", "application_form",
                                 "--deferred", "bank_card_copy"))
    case_no = intake["case_no"]
    assert run_station(village, "act", case_no, "forwarded", "--agent", "A01").returncode == 0

    started = time.monotonic()
    down = run_station(village, "sync", "--give-up-after", "2")
    assert down.returncode == 5 and "连不上" in down.stderr and time.monotonic() - started < 30

    hub.start()
    assert _sync(village) | {"clock_offset_s": 0} == {
        "pushed": 2, "pulled": 0, "rejected": 0, "pending": 0, "clock_offset_s": 0, "relayed_bundles": 0,
        "refused_bundles": 0, "parked": 0,
        "files": {"uploaded": 0, "bytes_sent": 0, "pending": 0, "waiting_for_events": 0, "errors": [], "error": None,
                  "out_of_time": False}}
    assert _sync(neighbour)["pulled"] == 0
    assert _sync(township)["pulled"] == 2
    for kind in ("accepted", "approved"):
        assert run_station(township, "act", case_no, kind, "--agent", "T01").returncode == 0
    assert _sync(township)["pushed"] == 2
    assert _sync(village)["pulled"] == 2
    assert json_of(run_station(village, "case", case_no, "--json"))["status"] == "approved"

    token = intake["tracking_url"].rsplit("/", 1)[1]
    page = httpx.get(f"{hub.url}/api/v1/track/{case_no}/{token}").json()
    assert (page["status"], page["status_label"]) == ("approved", "准予/已办结")


def test_sigkill_at_random_moments_loses_and_duplicates_nothing(tmp_path: Path, hub: HubProcess) -> None:
    service, operator, key = make_station(tmp_path, VILLAGE, hub.config)
    hub.enroll(VILLAGE, key)
    for index in range(80):
        file_case(service, operator, index)
    local_ids = {e.id for e in service.store.pending_events(10**6)}
    hub.start()
    stop = threading.Event()
    kills = 0

    def killer() -> None:
        """Kill when the drain passes random points, a random few milliseconds into a request."""
        nonlocal kills
        rng = random.Random(20261122)
        for threshold in sorted(rng.sample(range(5, len(local_ids) - 20), 3)):
            while service.store.outbox_counts()["pushed"] < threshold and not stop.is_set():
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.02))
            hub.kill()
            kills += 1
            hub.start(wait=False)
            hub.wait_ready()

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    while service.store.outbox_counts()["pending"]:
        try:
            with SyncClient(service, hub.url, give_up_after=15, backoff_cap_s=1.0,
                           batch=AdaptiveBatch(size=5, smallest=5, largest=5)) as client:
                client.push_pending(SyncReport())
        except Unreachable:
            continue
    stop.set()
    thread.join(30)
    hub.wait_ready()
    with make_engine(hub.db_url).connect() as conn:
        stored = [row[0] for row in conn.execute(text("SELECT id FROM events"))]
    assert kills == 3
    assert len(stored) == len(set(stored)) == len(local_ids) and set(stored) == local_ids
    assert service.store.outbox_counts() == {"pending": 0, "pushed": len(local_ids), "rejected": 0}
    service.close()
