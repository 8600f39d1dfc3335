"""The township's work queue: every case waiting for this station's decision, most urgent first.

Keyboard only: arrows move, Enter opens the case, ``a`` accepts the highlighted case and
moves to the next one (several straightforward cases in a row, never leaving the list),
``d`` offers every action the ledger allows on it, including extension and pauses.
"""
from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static
from rich.text import Text

from station.actions import ActionInput
from station.errors import StationError
from station.ledger import display_case_no
from station.work_queue import QueueEntry, WorkQueue

from ..i18n import kind_label, t
from ..queue_actions import QueueChoices, queue_choices
from .ask_action import ask_action
from .base import StationScreen
from .decide_menu import DecideMenu

__all__ = ["QueueScreen"]

_COLUMNS = (("紧急", 6), ("编号", 9), ("村", 6), ("申请人", 8), ("事项", 10), ("状态", 6), ("期限", 12))
"""Fixed widths (cells) that fit 80 columns: content-sized columns could be cut to their labels."""
_URGENCY_MARKS = {"acceptance_overdue": ("超5日", "bold reverse red"), "overdue": ("逾期", "bold red"),
                  "due_soon": ("将到期", "bold yellow"), "normal": ("", "")}


class QueueScreen(StationScreen):
    BINDINGS = [
        Binding("escape", "back", "back"),
        Binding("a", "accept", "受理并下一件"),
        Binding("d", "decide", "办理"),
        Binding("f5", "reload", "refresh"),
    ]

    class QueueLoaded(Message):
        def __init__(self, queue: WorkQueue) -> None:
            super().__init__()
            self.queue = queue

    class ChoicesLoaded(Message):
        def __init__(self, choices: QueueChoices) -> None:
            super().__init__()
            self.choices = choices

    class ActionDone(Message):
        def __init__(self, case_no: str, kind: str, problems: list[str]) -> None:
            super().__init__()
            self.case_no, self.kind, self.problems = case_no, kind, problems

    def __init__(self) -> None:
        super().__init__()
        self.entries: tuple[QueueEntry, ...] = ()
        self._follow: str | None = None
        """After an action, the case the cursor should land on: the one after the case acted on."""

    def compose_body(self) -> ComposeResult:
        yield Static(t("loading"), id="queue-title")
        yield Static("", id="queue-villages")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="queue-table")
        yield Static("", id="queue-detail")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in _COLUMNS:
            table.add_column(label, key=label, width=width)
        table.focus()

    def on_screen_resume(self) -> None:
        self.action_reload()

    def events_arrived(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue")
    def _load(self) -> None:
        self.post_message(self.QueueLoaded(self.station_app.service.work_queue()))

    # -- showing -----------------------------------------------------------------

    def on_queue_screen_queue_loaded(self, message: QueueLoaded) -> None:
        queue = message.queue
        self.entries = queue.entries
        self.query_one("#queue-title", Static).update(
            f"待本站决定 {len(queue.entries)} 件 · {queue.day}" if queue.entries else f"{queue.day}：没有等待本站决定的案件")
        self.query_one("#queue-villages", Static).update(_village_line(queue))
        table = self.query_one(DataTable)
        table.clear()
        for entry in queue.entries:
            table.add_row(*_row(entry), key=entry.case_no)
        self._place_cursor(table)

    def _place_cursor(self, table: DataTable[object]) -> None:
        keys = [e.case_no for e in self.entries]
        if self._follow in keys:
            table.move_cursor(row=keys.index(self._follow))
        self._follow = None
        self._show_detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        entry = self._current()
        self.query_one("#queue-detail", Static).update(_detail(entry) if entry else "")

    def _current(self) -> QueueEntry | None:
        table = self.query_one(DataTable)
        if not self.entries or table.cursor_row < 0 or table.cursor_row >= len(self.entries):
            return None
        return self.entries[table.cursor_row]

    def _next_after(self, case_no: str, kind: str) -> str | None:
        """The case after ``case_no`` in the list as it was; after an acceptance, the next one
        still waiting to be accepted, so a run of straightforward cases is a run of ``a``."""
        keys = [e.case_no for e in self.entries]
        index = keys.index(case_no) if case_no in keys else -1
        later = list(self.entries[index + 1:]) if index >= 0 else []
        if kind == "accepted":
            later = [e for e in later if e.status == "submitted"] or later
        return later[0].case_no if later else None

    # -- acting ------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.station_app.open_case(str(event.row_key.value))

    def action_accept(self) -> None:
        entry = self._current()
        if entry is None:
            return
        if entry.status != "submitted":
            self.notify(f"{display_case_no(entry.case_no)} 已受理：按 d 选择办理结果", severity="warning")
            return
        self._record(entry.case_no, ActionInput("accepted"))

    def action_decide(self) -> None:
        entry = self._current()
        if entry is not None:
            self._load_choices(entry.case_no)

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-choices")
    def _load_choices(self, case_no: str) -> None:
        app = self.station_app
        service = app.service
        assert app.operator is not None
        state = service.case(case_no)
        self.post_message(self.ChoicesLoaded(queue_choices(state, app.operator, service.station.code,
                                                           service.topology, service.calendar, service.now())))

    def on_queue_screen_choices_loaded(self, message: ChoicesLoaded) -> None:
        choices = message.choices
        menu = choices.menu()
        if not menu:
            self.notify(t("no_actions"), severity="warning")
            return
        self.app.push_screen(DecideMenu(f"办理 {display_case_no(choices.case_no)}", menu),
                             lambda kind: self._ask(choices, kind) if kind else None)

    def _ask(self, choices: QueueChoices, kind: str) -> None:
        ask_action(self.app, choices, kind, lambda action: self._record(choices.case_no, action))

    @work(thread=True, exclusive=False, exit_on_error=False, group="queue-act")
    def _record(self, case_no: str, action: ActionInput) -> None:
        app = self.station_app
        assert app.operator is not None
        try:
            app.service.act(app.operator, case_no, action.kind, reason=action.reason or None,
                            materials=list(action.materials), level=action.level, days=action.days,
                            until=action.until)
        except StationError as exc:
            self.post_message(self.ActionDone(case_no, action.kind, exc.problems or [str(exc)]))
            return
        self.post_message(self.ActionDone(case_no, action.kind, []))

    def on_queue_screen_action_done(self, message: ActionDone) -> None:
        if message.problems:
            self.notify("\n".join(message.problems), severity="error", timeout=10)
            return
        self.notify(t("recorded", label=kind_label(message.kind)))
        self._follow = self._next_after(message.case_no, message.kind)
        self.station_app.refresh_sync_status()
        self.action_reload()

    def action_back(self) -> None:
        self.dismiss()


def _short_no(case_no: str) -> str:
    """Month, day and serial: enough to tell cases apart on one screen (the full number is below)."""
    return f"{case_no[16:20]}-{case_no[20:24]}"


def _village_line(queue: WorkQueue) -> Text:
    text = Text()
    for village in queue.villages:
        hot = village.by_urgency.get("acceptance_overdue", 0) + village.by_urgency.get("overdue", 0)
        text.append(f"{village.name.removesuffix('便民服务站')} {village.total}", style="bold")
        text.append(f"（急 {hot}）  " if hot else "  ", style="red" if hot else "")
    return text


def _row(entry: QueueEntry) -> tuple[Text | str, ...]:
    mark, style = _URGENCY_MARKS[entry.urgency]
    when = entry.legal_deadline or entry.deadline or "—"
    if entry.answer_by and not entry.deemed_accepted:
        when = f"{entry.answer_by[5:]}前受理"
    if entry.paused:
        when = entry.paused
    return (Text(mark, style=style), _short_no(entry.case_no), entry.origin_name.removesuffix("便民服务站")[:6],
            entry.applicant_name[:4], entry.item_name[:5], entry.status_label[:3], when)


def _detail(entry: QueueEntry) -> Text:
    text = Text(f"{display_case_no(entry.case_no)}  {entry.item_name}  {entry.applicant_name}\n", style="bold")
    text.append(f"承诺时限 {entry.deadline or '—'}")
    if entry.promised_warning == "overdue":
        text.append(" 已逾期", style="bold red")
    text.append(f"  法定时限 {entry.legal_deadline or '—'}")
    if entry.legal_warning == "overdue":
        text.append(" 已超过法定时限", style="bold reverse red")
    if entry.deemed_accepted:
        text.append("  视为受理", style="bold red")
    elif entry.answer_by:
        text.append(f"  应于 {entry.answer_by} 前受理", style="yellow")
    if entry.paused:
        text.append(f"  {entry.paused}", style="yellow")
    return text
