"""SIGKILL `station sync` at random points of a sync, many times; the next sync completes, exactly once."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import select

from cityhall import db
from station.service import StationService
from tests.support.demo import DEMO_TOPOLOGY_FILE, VILLAGE
from tests.reliability.sites import STATION_BIN, integrity, make_home, outbox_states, run_station, station_env
from tests.station.helpers import allowance_request
from tests.support.hubproc import HubProcess, enroll_all

CASES, KILLS = 40, 5


def test_a_station_killed_mid_sync_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    home, key = make_home(tmp_path, VILLAGE, DEMO_TOPOLOGY_FILE)
    db_url = f"sqlite:///{tmp_path / 'hub.db'}"
    enroll_all(db_url, {VILLAGE: key})
    service = StationService(home)
    operator = service.sign_in("A01", "1234")
    for _ in range(CASES):
        service.intake(operator, allowance_request())
    recorded = {e.id for row in service.list_cases(limit=1000) for e in service.store.case_events(row["case_no"])}
    service.close()
    rng = random.Random(3)
    with HubProcess(db_url, DEMO_TOPOLOGY_FILE) as hub:
        for _ in range(KILLS):
            sync = subprocess.Popen([STATION_BIN, "--home", str(home.root), "sync"], env=station_env(hub.url),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            time.sleep(rng.uniform(0.2, 0.9))
            os.killpg(sync.pid, signal.SIGKILL)
            sync.wait(timeout=10)
            assert integrity(home) == "ok"
        final = run_station(home, "sync", cityhall_url=hub.url)
        assert final.returncode == 0, final.stderr
    engine = db.make_engine(db_url)
    with engine.connect() as conn:
        stored = list(conn.execute(select(db.events.c.id)).scalars())
    engine.dispose()
    assert sorted(stored) == sorted(recorded)
    assert outbox_states(home) == {"pushed": len(recorded)}
