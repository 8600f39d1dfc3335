"""One in-process city hall per module, with a village and its township enrolled."""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cityhall.app import HubSettings, create_app
from tests.support.demo import DEMO_TOPOLOGY_FILE, TOWNSHIP, VILLAGE
from tests.support.simstation import SimStation

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
"""Examples per fuzzed operation: small in CI; ``FUZZ_EXAMPLES=2000`` for a long run."""


@dataclass
class FuzzHub:
    app: object
    client: TestClient
    village: SimStation
    township: SimStation


@pytest.fixture(scope="module")
def fuzz_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzHub]:
    folder: Path = tmp_path_factory.mktemp("fuzzhub")
    app = create_app(HubSettings(db_url=f"sqlite:///{folder / 'hub.db'}", topology_file=DEMO_TOPOLOGY_FILE,
                                 miss_limit=10**9))
    village, township = SimStation(VILLAGE), SimStation(TOWNSHIP, role="clerk")
    for station in (village, township):
        app.state.store.enroll(station.code, station.public_key)  # type: ignore[attr-defined]
    with TestClient(app, raise_server_exceptions=False) as client:
        yield FuzzHub(app, client, village, township)
