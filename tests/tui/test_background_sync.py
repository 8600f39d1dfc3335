"""A decision pulled by the background sync loop shows on the Today board by itself."""
from __future__ import annotations

import threading

from sync.client import SyncReport

from station.service import StationService
from station.tui.screens.home import HomeScreen
from station.tui.sync_loop_port import LoopSyncPort
from station.tui.widgets.board_list import BoardList

from .conftest import AGENT_PIN, APPROVER_PIN, CLERK_PIN, file_example_case, make_app, settle, sign_in


class PullFromTownship:
    """Stands in for the city hall in the real background loop: once ``ready``, a round
    "pulls" the township's events of one case into the village, as a pull from the hub would."""

    def __init__(self, village: StationService, township: StationService, case_no: str,
                 ready: threading.Event) -> None:
        self.village, self.township, self.case_no, self.ready = village, township, case_no, ready

    def __enter__(self) -> PullFromTownship:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def sync_once(self) -> SyncReport:
        if not self.ready.is_set():
            return SyncReport()
        return SyncReport(pulled=self.village.apply_events(self.township.store.case_events(self.case_no)))


def _decided_at_the_township(village: StationService, township: StationService) -> str:
    agent = village.sign_in("a01", AGENT_PIN)
    case_no = file_example_case(village, agent, name="欧阳𠮷", id_number="420115195505051235")
    village.act(agent, case_no, "forwarded")
    township.apply_events(village.store.case_events(case_no))
    township.act(township.sign_in("c01", CLERK_PIN), case_no, "accepted")
    township.act(township.sign_in("p01", APPROVER_PIN), case_no, "approved")
    return case_no


def _decisions_on_the_board(app) -> list[str]:  # noqa: ANN001 - StationApp
    ids = [option.id or "" for option in app.screen.query_one(BoardList).options]
    return [option_id.split(":", 1)[1] for option_id in ids if option_id.startswith("decisions:")]


async def test_a_decision_pulled_in_the_background_appears_on_the_board(village: StationService,
                                                                        township: StationService) -> None:
    case_no = _decided_at_the_township(village, township)
    ready = threading.Event()
    port = LoopSyncPort(village, client_factory=lambda svc: PullFromTownship(svc, township, case_no, ready))
    app = make_app(village, sync=port)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "a01", AGENT_PIN)
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen) and _decisions_on_the_board(app) == []
            ready.set()
            port.loop.poke()  # the next round runs now instead of in 30 s; no key is pressed
            for _ in range(100):
                await pilot.pause(0.05)
                if _decisions_on_the_board(app):
                    break
            assert _decisions_on_the_board(app) == [case_no]
            assert village.case(case_no).status == "approved"
    finally:
        port.close()


async def test_an_open_case_screen_shows_a_decision_pulled_in_the_background(village: StationService,
                                                                             township: StationService) -> None:
    from textual.widgets import Static

    from station.tui.screens.case import CaseScreen

    case_no = _decided_at_the_township(village, township)
    ready = threading.Event()
    port = LoopSyncPort(village, client_factory=lambda svc: PullFromTownship(svc, township, case_no, ready))
    app = make_app(village, sync=port)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "a01", AGENT_PIN)
            app.open_case(case_no)
            await settle(pilot)
            assert isinstance(app.screen, CaseScreen)
            summary = app.screen.query_one("#case-summary", Static)
            assert "准予" not in str(summary.render())
            ready.set()
            port.loop.poke()
            for _ in range(100):
                await pilot.pause(0.05)
                if "准予" in str(summary.render()):
                    break
            assert "准予" in str(summary.render())  # no key pressed: the screen read the case again
    finally:
        port.close()


class _Unreachable:
    def __enter__(self) -> _Unreachable:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def sync_once(self) -> SyncReport:
        from station.errors import Unreachable

        raise Unreachable("连不上市政务服务中心 http://127.0.0.1:9")


def test_a_failed_round_leaves_a_trace_in_the_log_and_retries_within_a_minute(village: StationService,
                                                                              caplog) -> None:  # noqa: ANN001
    import logging

    caplog.set_level(logging.WARNING, logger="station.sync")
    port = LoopSyncPort(village, client_factory=lambda svc: _Unreachable())
    try:
        for _ in range(100):
            if any("sync round failed" in r.getMessage() for r in caplog.records):
                break
            threading.Event().wait(0.05)
        assert any("连不上市政务服务中心" in r.getMessage() for r in caplog.records)
        assert port.loop.max_interval_s <= 60
    finally:
        port.close()
