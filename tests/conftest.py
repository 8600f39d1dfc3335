"""Fixtures every test folder shares: the demo topology, station homes, PostgreSQL, a month of cases."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import settings

from station.home import CHINA_TZ
from station.service import StationService
from station.topology import Topology
from tests.reports.scenario import Casebook, november
from tests.station.helpers import Cast, FakeClock, make_service
from tests.support.demo import DEMO_TOPOLOGY_FILE, TOWNSHIP, VILLAGE


# Properties are checked for truth, not speed: on a shared 2-core machine one example can take
# longer than Hypothesis's default 200 ms deadline. Timing is the benchmarks' business (bench/).
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


@pytest.fixture(scope="session")
def topology() -> Topology:
    return Topology.load(DEMO_TOPOLOGY_FILE)


@pytest.fixture(scope="session")
def pg_url():  # noqa: ANN201 - yields a URL string
    """A real PostgreSQL server for the session (started from the Debian binaries)."""
    from tests.support.postgres import postgres_server

    with postgres_server() as url:
        yield url


# -- station homes: a village and its township, with operators, at a fixed time --------
# (tests/station/helpers.py has the helpers; these fixtures serve every test folder. A folder
# that needs another day or other operators overrides ``clock`` or ``operators``, never these.)

@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 2, 9, 30, tzinfo=CHINA_TZ))


@pytest.fixture
def operators() -> Cast:
    return {VILLAGE: (("A01", "王小丽", "agent", "1234"),),
            TOWNSHIP: (("C01", "李窗口", "clerk", "2345"), ("P01", "赵审批", "approver", "3456"))}


def _station(tmp_path: Path, code: str, clock: FakeClock, operators: Cast) -> StationService:
    service = make_service(tmp_path, code, clock)
    for agent_id, name, role, pin in operators[code]:
        service.add_agent(agent_id, name, role, pin)
    return service


@pytest.fixture
def village(tmp_path: Path, clock: FakeClock, operators: Cast) -> Iterator[StationService]:
    service = _station(tmp_path, VILLAGE, clock, operators)
    yield service
    service.close()


@pytest.fixture
def township(tmp_path: Path, clock: FakeClock, operators: Cast) -> Iterator[StationService]:
    service = _station(tmp_path, TOWNSHIP, clock, operators)
    yield service
    service.close()


# -- a month of cases worked through a village and its township (reports, documents, watch)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Casebook]:
    casebook = Casebook(tmp_path_factory.mktemp("november"))
    casebook.cases = november(casebook)  # type: ignore[attr-defined]
    yield casebook
    casebook.close()


@pytest.fixture(scope="module")
def cases(book: Casebook) -> dict[str, str]:
    return book.cases  # type: ignore[attr-defined,no-any-return]
