"""The garbage collector pauses for start-up's and sign-in's bursts, and always comes back."""
from __future__ import annotations

import gc
import time
from collections.abc import Iterator

import pytest

from station.service import StationService
from station.tui import collector
from station.tui.screens.home import HomeScreen

from .conftest import AGENT_PIN, make_app, settle, sign_in


@pytest.fixture(autouse=True)
def collector_left_on() -> Iterator[None]:
    yield
    collector.resume_collection()
    gc.unfreeze()
    assert gc.isenabled()


def test_a_burst_pauses_the_collector_and_its_end_freezes_what_was_made() -> None:
    collector.pause_collection()
    assert not gc.isenabled()
    frozen_before = gc.get_freeze_count()
    made = [[index] for index in range(1000)]  # a burst of long-lived objects
    collector.resume_collection()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen_before + len(made)


def test_a_burst_that_never_ends_resumes_the_collector_by_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector, "LONGEST_BURST_S", 0.05)
    collector.pause_collection()
    deadline = time.monotonic() + 5
    while not gc.isenabled() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert gc.isenabled()


async def test_signing_in_pauses_until_the_board_is_drawn(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert gc.isenabled(), "the sign-in screen is drawn: start-up is over"
        await sign_in(pilot, "a01", AGENT_PIN)
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.screen.board_shown
        assert gc.isenabled()


async def test_a_wrong_pin_resumes_the_collector(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", "0000")
        await settle(pilot)
        assert not isinstance(app.screen, HomeScreen)
        assert gc.isenabled()
