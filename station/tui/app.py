"""The station's terminal app: sign-in, Today, filing, cases, sync.

Thin on purpose: it holds who is signed in and the sync state, routes between screens,
locks after idle time, and turns anything unexpected into a message, never a traceback.
"""
from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.events import DescendantFocus, Event, InputEvent
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input

from station.home import StationHome
from station.service import Operator, StationService

from .bindings import localize_bindings
from .failures import ReportsFailures
from .i18n import language, set_language, t
from .queries import CaseQueries, TodayBoard
from .quitting import use_daemon_workers
from .screens.sign_in import SignInScreen
from .style_cache import KeptStyles
from .sync_port import StoreSyncPort, SyncPort, SyncStatus, connect_sync

__all__ = ["StationApp", "run"]

log = logging.getLogger("station.tui")


_SCREEN_STYLES = ["action_dialog", "case", "cases", "confirm", "document", "home", "intake", "queue", "sign_in", "sync"]
# the station info screen reuses document.tcss (title line, scrolling text)


class StationApp(ReportsFailures, App[None]):
    CSS_PATH = ["app.tcss", *(f"screens/{name}.tcss" for name in _SCREEN_STYLES)]
    """Every screen's styles, read once: a screen with its own CSS_PATH makes Textual parse all styles again."""
    BINDINGS = [
        Binding("ctrl+q", "quit", "quit", priority=True),
        Binding("f9", "switch_operator", "switch_operator"),
        Binding("f10", "lock", "lock"),
    ]

    class SyncStatusRead(Message):
        def __init__(self, status: SyncStatus) -> None:
            super().__init__()
            self.status = status

    class EventsPulled(Message):
        """Posted from the sync thread: a background round stored events from elsewhere."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(self, service: StationService, sync: SyncPort | Callable[[], SyncPort] | None = None, *,
                 cursor_blink: bool = True,
                 idle_lock_seconds: float | None = None, sync_refresh_seconds: float = 10.0) -> None:
        set_language(service.config.language)
        super().__init__()
        localize_bindings(self)
        self.service = service
        self._sync_source = sync or StoreSyncPort(service)
        """A port, or a factory called once from a worker thread (the sync stack is slow to import)."""
        self.queries = CaseQueries(service.home.database, service.station.code, lambda: service.calendar,
                                   key=service.data_key)
        self.operator: Operator | None = None
        self.sync_status: SyncStatus | None = None
        self.cursor_blink = cursor_blink
        self.idle_lock_seconds = idle_lock_seconds if idle_lock_seconds is not None \
            else service.config.idle_lock_minutes * 60
        self.sync_refresh_seconds = sync_refresh_seconds
        self._last_activity = time.monotonic()
        self._sync_lock = threading.Lock()
        self._listening = False
        self.title = service.station.name
        self._decides_cases = service.station.level != "village"
        self._styles = KeptStyles(self.stylesheet, service.home.cache_dir / "styles.pickle")
        self._styles.load()

    # -- lifecycle ---------------------------------------------------------------

    def on_mount(self) -> None:
        # Modules, the catalogue and the styles live as long as the app: frozen, the garbage
        # collector stops walking them, which took a full collection (~30 ms) from start-up.
        # (The collector itself resumes once the sign-in screen is drawn: tui/collector.py.)
        gc.freeze()
        use_daemon_workers()  # ctrl+q must not wait for a sync stuck on the network
        self.push_screen(SignInScreen())
        self.set_interval(min(15.0, max(self.idle_lock_seconds / 4, 0.05)), self._lock_if_idle)
        self.set_interval(self.sync_refresh_seconds, self.refresh_sync_status)

    def on_unmount(self) -> None:
        self.queries.close()
        gc.unfreeze()

    async def on_event(self, event: Event) -> None:
        if isinstance(event, InputEvent) and not event.is_forwarded:
            self._last_activity = time.monotonic()
        await super().on_event(event)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        if not self.cursor_blink and isinstance(event.widget, Input):
            event.widget.cursor_blink = False

    # -- who is signed in --------------------------------------------------------

    def on_sign_in_screen_operator_signed_in(self, message: SignInScreen.OperatorSignedIn) -> None:
        same_operator = self.operator is not None and self.operator.id == message.operator.id
        self.operator = message.operator
        self._last_activity = time.monotonic()
        if message.was_locked and same_operator:
            self.pop_screen()
            self._first_sync_status()
            return
        self._read_board_then_home()

    def _read_board_then_home(self) -> None:
        """Read the board, then build the home screen with it once. Read here, not in a worker
        thread: the read takes a few milliseconds (every query is indexed, test_startup.py), but
        in a thread it waited for the GIL after every SQLite step while the screen was drawn,
        and took three times as long."""
        try:
            board = self.read_board()
        except Exception:  # the home screen reads again, and says what went wrong
            log.exception("the Today board could not be read at sign-in")
            board = None
        self.open_home(board)
        self.call_after_refresh(self._first_sync_status)
        self.call_after_refresh(self._styles.keep_new)  # start-up has parsed what it needs
        if not self._decides_cases:
            self.call_after_refresh(self._learn_whether_this_village_decides)

    def _first_sync_status(self) -> None:
        """The first sign-in opened the store: the sync state is read, and the background sync
        started, once the board is drawn. The sign-in screen shows no sync state, and the sync
        starting in a thread (its stack loads) slowed the board's read and drawing."""
        if self.sync_status is None:
            self.refresh_sync_status()

    def read_board(self) -> TodayBoard:
        """Also called from worker threads (the home screen reads it again there)."""
        today = self.service.today()
        return self.queries.board(today, self.soon_day(today))

    def action_command_palette(self) -> None:
        """Textual's command palette, its search box in the app's language."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=t("palette_search")))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Switching operator and locking mean nothing on the sign-in screen: not offered there."""
        if action in ("switch_operator", "lock"):
            return not isinstance(self.screen, SignInScreen)
        return True

    async def action_quit(self) -> None:
        if self._unsaved_case():
            self.confirm_discard(self.exit)
        else:
            await super().action_quit()

    def _unsaved_case(self) -> bool:
        """A new case being filled in and not saved yet, anywhere on the screen stack."""
        return any(getattr(screen, "has_unsaved", lambda: False)() for screen in self.screen_stack)

    def confirm_discard(self, then: Callable[[], object]) -> None:
        from .screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.push_screen(ConfirmScreen(t("discard_draft")), answered)

    def action_switch_operator(self) -> None:
        if isinstance(self.screen, SignInScreen):
            return
        if self._unsaved_case():
            self.confirm_discard(self._switch_operator)
        else:
            self._switch_operator()

    def _switch_operator(self) -> None:
        self.operator = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(SignInScreen())

    def action_lock(self) -> None:
        if self.operator is not None and not isinstance(self.screen, SignInScreen):
            self.push_screen(SignInScreen(locked_by=self.operator))

    def _lock_if_idle(self) -> None:
        if time.monotonic() - self._last_activity >= self.idle_lock_seconds:
            self.action_lock()

    # -- sync state, always on screen ---------------------------------------------

    @property
    def sync(self) -> SyncPort:
        """The sync port; call from worker threads only (the first call may build it)."""
        with self._sync_lock:
            if callable(self._sync_source) and not hasattr(self._sync_source, "status"):
                self._sync_source = self._sync_source()
            port: SyncPort = self._sync_source  # type: ignore[assignment]
            if not self._listening:
                port.listen(self._events_pulled)
                self._listening = True
            return port

    def _events_pulled(self, count: int) -> None:
        """Called from the background sync's thread: hand the news to the app's own loop."""
        self.post_message(self.EventsPulled(count))

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-status")
    def refresh_sync_status(self) -> None:
        """Nothing before the first sign-in: the store is shut, and the background sync starts with it."""
        if self.service.unlocked:
            self.post_message(self.SyncStatusRead(self.sync.status()))

    def on_station_app_sync_status_read(self, message: StationApp.SyncStatusRead) -> None:
        from .screens.base import StationScreen

        self.sync_status = message.status
        if isinstance(self.screen, StationScreen):
            self.screen.sync_status_changed(message.status)

    def on_station_app_events_pulled(self, message: StationApp.EventsPulled) -> None:
        from .screens.base import StationScreen

        self.refresh_sync_status()
        if isinstance(self.screen, StationScreen):
            self.screen.events_arrived()

    # -- shared helpers ----------------------------------------------------------

    def soon_day(self, today: date) -> date:
        """The last day that counts as a near deadline: 2 working days on."""
        near = self.service.calendar.deadline_for(today, 2).date
        return near or date.fromordinal(today.toordinal() + 4)

    # -- the command palette -------------------------------------------------------

    @property
    def decides_cases(self) -> bool:
        """Townships and above accept and decide cases; a village files them and, unless its
        catalogue lists an item decided at a village, decides none: it has no decisions queue."""
        return self._decides_cases

    @work(thread=True, exclusive=True, exit_on_error=False, group="who-decides")
    def _learn_whether_this_village_decides(self) -> None:
        """Read once the board is drawn: the catalogue is not needed for it and is slow to load."""
        level = self.service.station.level
        if any(item.level == level for item in self.service.catalogue.items()):
            self.call_from_thread(self._decides_after_all)

    def _decides_after_all(self) -> None:
        self._decides_cases = True
        self.screen.refresh_bindings()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if self.operator is not None:
            yield SystemCommand(t("new_case"), t("intake_title"), self.open_intake)
            yield SystemCommand(t("cases"), t("cases_title"), self.open_cases)
            if self.decides_cases:
                yield SystemCommand("待办队列", "待本站决定的案件，按法定紧急程度排序", self.open_queue)
            yield SystemCommand(t("sync"), t("sync_title"), self.open_sync)
            yield SystemCommand(t("home"), t("home"), self.open_home)
            yield SystemCommand(t("station_info"), t("info_title"), self.open_info)
            yield SystemCommand(t("switch_operator"), t("switch_operator"), self.action_switch_operator)
            yield SystemCommand(t("lock"), t("lock"), self.action_lock)
        yield SystemCommand(t("language"), t("language_help"), self.toggle_language)
        yield SystemCommand(t("quit"), t("quit"), self.exit)

    def open_home(self, board: TodayBoard | None = None) -> None:
        from .screens.home import HomeScreen

        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(HomeScreen(board))

    def open_intake(self) -> None:
        from .screens.intake import IntakeScreen

        self.push_screen(IntakeScreen())

    def open_cases(self) -> None:
        from .screens.cases import CasesScreen

        self.push_screen(CasesScreen())

    def open_queue(self) -> None:
        from .screens.queue import QueueScreen

        self.push_screen(QueueScreen())

    def open_case(self, case_no: str) -> None:
        from .screens.case import CaseScreen

        self.push_screen(CaseScreen(case_no))

    def open_sync(self) -> None:
        from .screens.sync import SyncScreen

        self.push_screen(SyncScreen())

    def open_info(self) -> None:
        from .screens.info import InfoScreen

        self.push_screen(InfoScreen())

    def toggle_language(self) -> None:
        set_language("en" if language() == "zh" else "zh")
        localize_bindings_again(self)
        if self.operator is None:
            self.switch_screen(SignInScreen())
        else:
            self.open_home()


def localize_bindings_again(app: StationApp) -> None:
    app._bindings = type(app)._merged_bindings.copy()  # type: ignore[union-attr]  # noqa: SLF001 - Textual has no public reset
    localize_bindings(app)


def open_log(home: StationHome) -> logging.Handler:
    """``tui.log`` in the home, every record masked (:mod:`station.logmask`): citizens' data never reaches it."""
    from station.logmask import MaskingFormatter

    handler = logging.FileHandler(home.root / "tui.log", encoding="utf-8")
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def run(home: StationHome) -> None:
    """Entry point of ``station`` / ``station tui``."""
    from .single_app import AppLock

    service = StationService(home)  # first: a folder that is no station home says so (exit 3), and gets no log
    open_log(home)
    try:
        with AppLock(home.root):
            _run_app(service)
    finally:
        service.close()


def _run_app(service: StationService) -> None:
    app = StationApp(service, sync=lambda: connect_sync(service))
    try:
        app.run()
    finally:
        closing = getattr(app._sync_source, "close", None)  # noqa: SLF001 - the app's own source, closed after run
        if callable(closing):
            closing()
