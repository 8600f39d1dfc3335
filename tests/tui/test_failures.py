"""A failure inside a handler, an action or a worker is a Chinese message; the app and the screen go on."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import sqlite3

import pytest
from textual.message_pump import MessagePump
from textual.widgets import OptionList

import station.tui
from station.service import StationService
from station.tui.failures import ReportsFailures
from station.tui.screens.case import CaseScreen
from station.tui.screens.cases import CasesScreen
from station.tui.screens.home import HomeScreen
from station.tui.widgets.board_list import BoardList

from .conftest import AGENT_PIN, file_example_case, make_app, settle, sign_in


def _messages(app) -> list[str]:  # noqa: ANN001 - StationApp
    return [notification.message for notification in app._notifications]


def test_every_screen_and_widget_of_the_app_reports_failures() -> None:
    modules = [importlib.import_module(m.name) for m in pkgutil.walk_packages(station.tui.__path__, "station.tui.")
               if m.name != "station.tui.sync_loop_port"]
    nodes = [cls for module in modules for _, cls in inspect.getmembers(module, inspect.isclass)
             if cls.__module__ == module.__name__ and issubclass(cls, MessagePump) and cls is not ReportsFailures]
    assert len(nodes) > 15
    assert [cls.__name__ for cls in nodes if not issubclass(cls, ReportsFailures)] == []


async def test_a_handler_that_raises_is_a_message_and_the_screen_goes_on(village: StationService,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        home = app.screen
        assert isinstance(home, HomeScreen)

        def broken_store(self, board) -> None:  # noqa: ANN001
            raise sqlite3.OperationalError("database disk image is malformed")

        with monkeypatch.context() as patch:
            patch.setattr(BoardList, "show", broken_store)
            await pilot.press("r")  # the board is read again; showing it fails in the screen's handler
            await settle(pilot)
        assert app.is_running and app.screen is home
        (message,) = _messages(app)
        assert message.startswith("意外错误") and "database disk image is malformed" in message
        assert "Traceback" not in message
        home.board_shown = False
        await pilot.press("r")  # the screen's message loop is still alive
        await settle(pilot)
        assert home.board_shown


async def test_an_action_that_raises_is_a_message(village: StationService, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)

        def broken(self) -> None:  # noqa: ANN001
            raise RuntimeError("案件列表打不开")

        with monkeypatch.context() as patch:
            patch.setattr(type(app), "open_cases", broken)
            await pilot.press("c")
            await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert any("案件列表打不开" in message for message in _messages(app))
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CasesScreen)


async def test_the_store_failing_during_an_action_loses_nothing(village: StationService,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    agent = village.sign_in("a01", AGENT_PIN)
    case_no = file_example_case(village, agent)
    events_before = village.store.event_count()
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        app.open_case(case_no)
        await settle(pilot)
        case_screen = app.screen
        assert isinstance(case_screen, CaseScreen)

        def disk_full(*args: object, **kwargs: object) -> bool:
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(village.store, "insert_event", disk_full)
        listing = case_screen.query_one("#case-actions", OptionList)
        listing.focus()
        listing.highlighted = listing.get_option_index("forwarded")
        await pilot.press("enter")  # the action's dialog
        await settle(pilot)
        await pilot.press("ctrl+s")  # recording it fails inside the write transaction
        await settle(pilot)
        assert app.is_running and app.screen is case_screen
        assert any(m.startswith("意外错误") and "database or disk is full" in m for m in _messages(app))
    assert village.store.event_count() == events_before
    assert village.case(case_no).status == "received"


async def test_a_board_that_cannot_be_read_at_sign_in_is_read_again_on_the_home_screen(
        village: StationService, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(village)
    read = type(app).read_board
    failures = []

    def fails_once(self) -> object:  # noqa: ANN001 - StationApp
        if not failures:
            failures.append("the disk was busy")
            raise sqlite3.OperationalError("database is locked")
        return read(self)

    monkeypatch.setattr(type(app), "read_board", fails_once)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await settle(pilot)
        assert failures and isinstance(app.screen, HomeScreen) and app.screen.board_shown
        assert app.is_running
