"""Station homes for tests: a village and its township, with operators, at a fixed time."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from station.home import CHINA_TZ
from station.service import StationService
from tests.conftest import TOWNSHIP, VILLAGE

from .helpers import FakeClock, make_service


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
def township(tmp_path: Path, clock: FakeClock) -> Iterator[StationService]:
    service = make_service(tmp_path, TOWNSHIP, clock)
    service.add_agent("C01", "李窗口", "clerk", "2345")
    service.add_agent("P01", "赵审批", "approver", "3456")
    yield service
    service.close()
