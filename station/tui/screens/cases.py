"""Cases: a list with filters (status, item, due) and a search."""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Select, Static

from station.ledger import STATUSES

from ..i18n import status_label, t
from ..queries import CaseFilter, CaseLine
from ..widgets.case_table import CaseTable
from .base import StationScreen

__all__ = ["CasesScreen"]


class CasesScreen(StationScreen):
    BINDINGS = [
        Binding("escape", "back", "back"),
        Binding("f5", "reload", "refresh"),
        Binding("f6", "sync", "sync"),
        Binding("ctrl+f", "focus_search", "search"),
    ]

    class CasesLoaded(Message):
        def __init__(self, wanted: CaseFilter, lines: list[CaseLine]) -> None:
            super().__init__()
            self.wanted = wanted
            self.lines = lines

    def compose_body(self) -> ComposeResult:
        catalogue = self.station_app.service.catalogue
        with Horizontal(id="case-filters"):
            yield Select([(status_label(status), status) for status in STATUSES], prompt=t("all_statuses"),
                         compact=True, id="filter-status")
            yield Select([(item.name, item.code) for item in catalogue.items()], prompt=t("all_items"),
                         compact=True, id="filter-item")
            yield Select([(t("overdue"), "overdue"), (t("due_soon"), "due_soon")], prompt=t("any_due"),
                         compact=True, id="filter-due")
            yield Input(placeholder=t("case_search_hint"), compact=True, id="filter-text")
        yield CaseTable(id="case-table")
        yield Static("", id="case-count", classes="hint")

    def on_mount(self) -> None:
        self.query_one(CaseTable).focus()

    def on_screen_resume(self) -> None:
        self.action_reload()

    def _filter(self) -> CaseFilter:
        def chosen(selector: str) -> str | None:
            value = self.query_one(selector, Select).value
            return None if value is Select.NULL else str(value)

        return CaseFilter(status=chosen("#filter-status"), item_code=chosen("#filter-item"),
                          due=chosen("#filter-due"), text=self.query_one("#filter-text", Input).value)

    @on(Select.Changed)
    @on(Input.Changed, "#filter-text")
    def action_reload(self) -> None:
        self._load(self._filter())

    @on(Input.Submitted, "#filter-text")
    def _to_table(self) -> None:
        self.query_one(CaseTable).focus()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self, wanted: CaseFilter) -> None:
        app = self.station_app
        today = app.service.today()
        self.post_message(self.CasesLoaded(wanted, app.queries.cases(wanted, today, app.soon_day(today))))

    def on_cases_screen_cases_loaded(self, message: CasesLoaded) -> None:
        if message.wanted != self._filter():
            return  # the filters changed since this was asked for
        self.query_one(CaseTable).show(message.lines, self.station_app.service.today().isoformat())
        self._show_count()

    def on_data_table_row_highlighted(self) -> None:
        self._show_count()

    def _show_count(self) -> None:
        """How many are shown, and both clocks of the highlighted case (the table has room for one)."""
        table = self.query_one(CaseTable)
        text = Text(t("shown_cases", n=len(table.lines)))
        line = table.highlighted_line()
        clock = line.clock if line is not None else None
        if clock is not None and (clock.deadline or clock.legal_deadline or clock.deemed_accepted or clock.paused):
            text.append("   " + t("both_clocks", promised=clock.deadline or "—", legal=clock.legal_deadline or "—"),
                        style="bold reverse red" if clock.legal_overdue else "bold red" if clock.overdue else "")
            if clock.deemed_accepted:
                text.append("  " + t("deemed_accepted"), style="bold red")
            if clock.paused:
                text.append("  " + clock.paused, style="yellow")
        self.query_one("#case-count", Static).update(text)

    def on_case_table_case_chosen(self, message: CaseTable.CaseChosen) -> None:
        self.station_app.open_case(message.case_no)

    def action_focus_search(self) -> None:
        self.query_one("#filter-text", Input).focus()

    def events_arrived(self) -> None:
        """A background sync brought changes (a decision, a supplement request): show them."""
        self.action_reload()

    def action_sync(self) -> None:
        """f6: the sync screen (sync now, bundles) from here too, not only from Today."""
        self.station_app.open_sync()

    def action_back(self) -> None:
        self.dismiss()
