"""Real processes on loopback: `cityhall serve` and the `station` command."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.hub import HubProcess, free_port, topology_for

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    port = free_port()
    process = HubProcess(tmp_path, port, topology_for(tmp_path, port))
    yield process
    process.stop()
