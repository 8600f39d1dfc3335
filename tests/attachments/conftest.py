"""A village with one filed case, and realistic scans made once per test session."""
from __future__ import annotations

from pathlib import Path

import pytest

from station.service import Operator, StationService
from tests.station.helpers import allowance_request

from .scans import a4_scan, tiny_pdf


@pytest.fixture(scope="session")
def scan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scans")
    (folder / "户口本.jpg").write_bytes(a4_scan(1))
    (folder / "申请表.png").write_bytes(a4_scan(2, fmt="PNG"))
    (folder / "委托书.pdf").write_bytes(tiny_pdf())
    return folder


@pytest.fixture
def agent(village: StationService) -> Operator:
    return village.sign_in("A01", "1234")


@pytest.fixture
def case_no(village: StationService, agent: Operator) -> str:
    return str(village.intake(agent, allowance_request())["case_no"])
