"""Shared fixtures: the demo topology and a fresh station home per test."""
from __future__ import annotations

from pathlib import Path

import pytest

from station.topology import Topology

ROOT = Path(__file__).resolve().parent.parent
DEMO_TOPOLOGY_FILE = ROOT / "stations.toml"
VILLAGE = "420115102203"
VILLAGE_2 = "420115102204"
TOWNSHIP = "420115102000"
OTHER_TOWNSHIP = "420115201000"
OTHER_VILLAGE = "420115201210"
COUNTY = "420115000000"
CITY = "420100000000"


@pytest.fixture(scope="session")
def topology() -> Topology:
    return Topology.load(DEMO_TOPOLOGY_FILE)


@pytest.fixture(scope="session")
def pg_url():  # noqa: ANN201 - yields a URL string
    """A real PostgreSQL server for the session (started from the Debian binaries)."""
    from tests.support.postgres import postgres_server

    with postgres_server() as url:
        yield url
