"""A table of cases; Enter opens one."""
from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from ..failures import ReportsFailures
from ..i18n import t
from ..queries import CaseLine

__all__ = ["CaseTable"]


class CaseTable(ReportsFailures, DataTable[object]):
    class CaseChosen(Message):
        def __init__(self, case_no: str) -> None:
            super().__init__()
            self.case_no = case_no

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)

    _WIDTHS = {"col_case": 28, "col_applicant": 8, "col_item": 12, "col_status": 11, "col_deadline": 10}
    """Cells per column: the grouped case number whole, and the rest still fits 80 columns."""

    def on_mount(self) -> None:
        for key, width in self._WIDTHS.items():
            self.add_column(t(key), key=key, width=width)

    def show(self, lines: list[CaseLine], today: str) -> None:
        self.clear()
        for line in lines:
            deadline = Text(line.deadline or "—", style="bold red" if line.deadline and line.deadline < today
                            and line.status in ("received", "submitted", "needs_supplement", "accepted") else "")
            status = Text(line.status_label + (" ⚠" if line.conflicts else ""))
            self.add_row(line.display_no, line.applicant_name, line.item_name,
                         status, deadline, key=line.case_no)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(self.CaseChosen(str(event.row_key.value)))
