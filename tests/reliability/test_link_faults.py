"""A real station syncing through a link that drops, delays and truncates: it converges, exactly once."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from cityhall import db

from station.errors import Unreachable
from station.service import StationService
from sync.client import SyncClient
from tests.support.demo import DEMO_TOPOLOGY_FILE, VILLAGE
from tests.reliability.sites import make_home
from tests.station.helpers import allowance_request
from tests.support.faultproxy import Faults, FaultProxy
from tests.support.hubproc import HubProcess, enroll_all

CASES = 30


@pytest.mark.parametrize("faults", [Faults(drop=0.4), Faults(truncate=0.5), Faults(delay_s=0.05, drop=0.2, truncate=0.2)],
                         ids=["drop", "truncate", "delay+drop+truncate"])
def test_a_station_converges_through_a_faulty_link(tmp_path: Path, faults: Faults) -> None:
    home, key = make_home(tmp_path, VILLAGE, DEMO_TOPOLOGY_FILE)
    db_url = f"sqlite:///{tmp_path / 'hub.db'}"
    enroll_all(db_url, {VILLAGE: key})
    service = StationService(home)
    operator = service.sign_in("A01", "1234")
    case_numbers = [service.intake(operator, allowance_request())["case_no"] for _ in range(CASES)]
    with HubProcess(db_url, DEMO_TOPOLOGY_FILE) as hub, FaultProxy(hub.port, faults) as proxy:
        for _ in range(40):
            client = SyncClient(service, proxy.url, give_up_after=2.0, backoff_cap_s=0.2)
            client.batch.size = 7
            try:
                report = client.sync_once()
                if report.pending == 0:
                    break
            except Unreachable:
                continue
            finally:
                client.close()
    stored = hub_event_ids(db_url)
    assert service.store.outbox_counts()["pending"] == 0
    mine = {e.id for c in case_numbers for e in service.store.case_events(c)}
    assert stored == sorted(mine), "the hub's events differ from the station's"
    assert sum(proxy.connections.values()) > proxy.connections["passed"], "the link never misbehaved"
    service.close()


def hub_event_ids(db_url: str) -> list[str]:
    engine = db.make_engine(db_url)
    with engine.connect() as conn:
        ids = sorted(conn.execute(select(db.events.c.id)).scalars())
    engine.dispose()
    return ids
