"""The app's tests: the shared village and township (tests/conftest.py) at a frozen time with
the app's own operators, and helpers to drive the app."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from station.home import CHINA_TZ, StationHome
from station.service import IntakeRequest, Operator, StationService, init_station
from station.tui.app import StationApp
from station.tui.sync_port import SyncPort
from tests.station.helpers import Cast, FakeClock
from tests.support.demo import DEMO_TOPOLOGY_FILE, TOWNSHIP, VILLAGE

FROZEN_NOW = datetime(2026, 11, 23, 9, 30, tzinfo=CHINA_TZ)
AGENT_PIN = "2468"
CLERK_PIN = "1357"
APPROVER_PIN = "9753"
ITEM = "420115GF0002"  # 临时救助: decided at the township, two deferrable materials
CITIZEN_ID = "420115199001011238"
CITIZEN_NAME = "王𠮷祥"


def frozen_clock() -> datetime:
    return FROZEN_NOW


def make_service(root: Path, station: str, clock=frozen_clock) -> StationService:  # noqa: ANN001
    home = StationHome(root)
    init_station(home, station, DEMO_TOPOLOGY_FILE)
    return StationService(home, clock=clock)


@pytest.fixture
def clock() -> FakeClock:
    """The app's tests see one Monday morning (the shared ``village``/``township`` use it)."""
    return FakeClock(FROZEN_NOW)


@pytest.fixture
def operators() -> Cast:
    return {VILLAGE: (("a01", "李小𠮷", "agent", AGENT_PIN),),
            TOWNSHIP: (("c01", "张敏", "clerk", CLERK_PIN), ("p01", "欧阳审批", "approver", APPROVER_PIN))}


def example_fields(service: StationService, code: str = ITEM) -> dict[str, str]:
    return {spec.key: spec.example for spec in service.catalogue.get(code).fields}


def file_example_case(service: StationService, operator: Operator, *, deferred: tuple[str, ...] = ("bank_card_copy",),
                      name: str = CITIZEN_NAME, id_number: str = CITIZEN_ID) -> str:
    item = service.catalogue.get(ITEM)
    received = [m.key for m in item.materials if m.key not in deferred]
    result = service.intake(operator, IntakeRequest(ITEM, id_number, name, "13907181234", example_fields(service),
                                                    received, list(deferred)))
    return str(result["case_no"])


def make_app(service: StationService, sync: SyncPort | None = None) -> StationApp:
    return StationApp(service, sync, cursor_blink=False, idle_lock_seconds=3600, sync_refresh_seconds=3600)


async def sign_in(pilot, agent_id: str, pin: str) -> None:  # noqa: ANN001 - textual Pilot
    await pilot.pause()
    for key in agent_id:
        await pilot.press(key)
    await pilot.press("enter")
    for key in pin:
        await pilot.press(key)
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def settle(pilot) -> None:  # noqa: ANN001 - textual Pilot
    """Let workers finish and their messages land."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_text(pilot, text: str) -> None:  # noqa: ANN001 - textual Pilot
    for char in text:
        await pilot.press("space" if char == " " else char)


async def paste(pilot, text: str) -> None:  # noqa: ANN001 - textual Pilot
    """Paste into the focused field, as an operator pasting from elsewhere would."""
    from textual import events

    pilot.app.focused.post_message(events.Paste(text))
    await pilot.pause()
