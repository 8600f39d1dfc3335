"""A table of cases; Enter opens one."""
from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from ..bindings import localize_bindings
from ..failures import ReportsFailures
from ..i18n import t
from ..queries import CaseLine

__all__ = ["CaseTable"]


class CaseTable(ReportsFailures, DataTable[object]):
    BINDINGS = [Binding("enter", "select_cursor", "open")]
    """Textual's own Enter, said on the bottom line: a list that opens what it shows says so."""

    class CaseChosen(Message):
        def __init__(self, case_no: str) -> None:
            super().__init__()
            self.case_no = case_no

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)
        localize_bindings(self)
        self.lines: dict[str, CaseLine] = {}

    _WIDTHS = {"col_case": 28, "col_applicant": 8, "col_item": 12, "col_status": 11, "col_deadline": 10}
    """Cells per column: the grouped case number whole, and the rest still fits 80 columns."""

    def on_mount(self) -> None:
        for key, width in self._WIDTHS.items():
            self.add_column(t(key), key=key, width=width)

    def show(self, lines: list[CaseLine], today: str) -> None:
        self.clear()
        self.lines = {line.case_no: line for line in lines}
        for line in lines:
            status = Text(line.status_label + (" ⚠" if line.conflicts else ""),
                          style="bold red" if line.clock and line.clock.deemed_accepted else "")
            self.add_row(line.display_no, line.applicant_name, line.item_name,
                         status, _deadline_cell(line, today), key=line.case_no)

    def highlighted_line(self) -> CaseLine | None:
        if not self.lines or not 0 <= self.cursor_row < self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return self.lines.get(str(key))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(self.CaseChosen(str(event.row_key.value)))


_OPEN = ("received", "submitted", "needs_supplement", "accepted")


def _deadline_cell(line: CaseLine, today: str) -> Text:
    """The promised deadline; red when passed, reversed when the legal one is passed too."""
    day = line.shown_deadline
    if not day:
        return Text(line.clock.paused if line.clock and line.clock.paused else "—")
    if line.clock is not None:
        late, legal_late = line.clock.overdue, line.clock.legal_overdue
    else:
        late, legal_late = day < today and line.status in _OPEN, False
    return Text(day, style="bold reverse red" if legal_late else "bold red" if late else "")
