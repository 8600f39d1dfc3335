"""Today: what is waiting, what is due, what came back; the station's home screen."""
from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from ..collector import resume_collection
from ..i18n import t
from ..queries import TodayBoard
from ..widgets.board_list import BoardList
from .base import StationScreen

__all__ = ["HomeScreen"]


class HomeScreen(StationScreen):
    BINDINGS = [
        Binding("n", "new_case", "new_case_key"),
        Binding("c", "cases", "cases"),
        Binding("w", "queue", "待办"),
        Binding("s", "sync", "sync"),
        Binding("r", "refresh", "refresh"),
        Binding("i", "info", "station_info"),
    ]

    class BoardLoaded(Message):
        def __init__(self, board: TodayBoard) -> None:
            super().__init__()
            self.board = board

    def __init__(self, board: TodayBoard | None = None) -> None:
        super().__init__()
        self._board_at_sign_in = board
        """The board when the app read it just before building this screen (at sign-in)."""

    def compose_body(self) -> ComposeResult:
        yield Static(t("today_title", day=self.station_app.service.today().isoformat()), id="today-title")
        yield BoardList(t("loading"), id="board")

    board_shown = False
    """True once the board has been read and drawn (start-up is over)."""

    def on_mount(self) -> None:
        self.query_one(BoardList).focus()
        if self._board_at_sign_in is not None:
            self._show(self._board_at_sign_in)

    def on_screen_resume(self) -> None:
        if self._board_at_sign_in is not None:
            self._board_at_sign_in = None  # fresh: shown on mount
            return
        self.action_refresh()

    def action_refresh(self) -> None:
        self._load_board()
        self.station_app.refresh_sync_status()

    def events_arrived(self) -> None:
        self._load_board()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load_board(self) -> None:
        self.post_message(self.BoardLoaded(self.station_app.read_board()))

    def on_home_screen_board_loaded(self, message: BoardLoaded) -> None:
        self._show(message.board)

    def _show(self, board: TodayBoard) -> None:
        self.query_one(BoardList).show(board)
        self.board_shown = True
        self.call_after_refresh(resume_collection)  # signing in was a burst (tui/collector.py)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The decisions queue is offered where cases are decided: a village's agent saw an
        empty 待办 next to the board's cases waiting at the station, and the line had no room
        left for the keys that matter there."""
        if action == "queue":
            return self.station_app.decides_cases
        return True

    def on_board_list_case_chosen(self, message: BoardList.CaseChosen) -> None:
        self.station_app.open_case(message.case_no)

    def action_new_case(self) -> None:
        self.station_app.open_intake()

    def action_cases(self) -> None:
        self.station_app.open_cases()

    def action_queue(self) -> None:
        self.station_app.open_queue()

    def action_sync(self) -> None:
        self.station_app.open_sync()

    def action_info(self) -> None:
        self.station_app.open_info()
