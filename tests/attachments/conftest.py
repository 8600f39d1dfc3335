"""A village with one filed case, and realistic scans made once per test session."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from station.home import CHINA_TZ
from station.service import Operator, StationService
from tests.conftest import VILLAGE
from tests.station.helpers import FakeClock, allowance_request, make_service

from .scans import a4_scan, tiny_pdf


@pytest.fixture(scope="session")
def scan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scans")
    (folder / "户口本.jpg").write_bytes(a4_scan(1))
    (folder / "申请表.png").write_bytes(a4_scan(2, fmt="PNG"))
    (folder / "委托书.pdf").write_bytes(tiny_pdf())
    return folder


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 2, 9, 30, tzinfo=CHINA_TZ))


@pytest.fixture
def village(tmp_path: Path, clock: FakeClock) -> Iterator[StationService]:
    service = make_service(tmp_path, VILLAGE, clock)
    service.add_agent("A01", "王小丽", "agent", "1234")
    yield service
    service.close()


@pytest.fixture
def agent(village: StationService) -> Operator:
    return village.sign_in("A01", "1234")


@pytest.fixture
def case_no(village: StationService, agent: Operator) -> str:
    return str(village.intake(agent, allowance_request())["case_no"])
