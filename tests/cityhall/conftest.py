"""A city hall in a thread on a free loopback port, with enrolled stations beside it."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from station.service import Operator, StationService
from sync.client import SyncClient
from tests.support.demo import OTHER_VILLAGE, TOWNSHIP, VILLAGE, VILLAGE_2
from tests.support.hub import exchange_keys, free_port, in_process_hub, make_station, topology_for


@dataclass
class Site:
    service: StationService
    operator: Operator
    public_key: str

    def client(self, **options: object) -> SyncClient:
        return SyncClient(self.service, give_up_after=5.0, **options)  # type: ignore[arg-type]


@dataclass
class World:
    url: str
    app: object
    sites: dict[str, Site]
    folder: Path

    @property
    def store(self):  # noqa: ANN201
        return self.app.state.store  # type: ignore[attr-defined]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    port = free_port()
    config = topology_for(tmp_path, port)
    roles = {VILLAGE: "agent", VILLAGE_2: "agent", TOWNSHIP: "approver", OTHER_VILLAGE: "agent"}
    with in_process_hub(tmp_path, config, port, miss_limit=5) as app:
        sites = {}
        for code, role in roles.items():
            service, operator, key = make_station(tmp_path, code, config, role=role)
            app.state.store.enroll(code, key)
            sites[code] = Site(service, operator, key)
        exchange_keys(f"http://127.0.0.1:{port}", *(site.service for site in sites.values()))
        yield World(f"http://127.0.0.1:{port}", app, sites, tmp_path)
        for site in sites.values():
            site.service.close()
