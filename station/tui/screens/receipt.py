"""The receipt of a case just filed, QR code on screen so the citizen can scan it."""
from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from station.errors import StationError
from station.ledger import display_case_no
from station.receipts import render_columns, render_text

from ..i18n import t
from .document import DocumentScreen

if TYPE_CHECKING:
    from station.service import StationService

__all__ = ["ReceiptScreen", "receipt_text"]


def receipt_text(service: StationService, case_no: str) -> str:
    """The receipt as terminal text (the same content as ``station receipt --text``)."""
    return render_text(service.handed_over_receipt(case_no))


class ReceiptScreen(DocumentScreen):
    class ReceiptDrawn(Message):
        def __init__(self, text: str, shown: str) -> None:
            super().__init__()
            self.text = text
            self.shown = shown

    def __init__(self, case_no: str, *, message: str = "") -> None:
        super().__init__(f"{t('receipt_title')} {display_case_no(case_no)}", "", f"receipt-{case_no}",
                         message=message)
        self.case_no = case_no

    def on_mount(self) -> None:
        super().on_mount()
        self._draw()

    @work(thread=True, exclusive=True, exit_on_error=False, group="receipt")
    def _draw(self) -> None:
        try:
            receipt = self.station_app.service.handed_over_receipt(self.case_no)
            text, shown = render_text(receipt), render_columns(receipt)
        except StationError as exc:
            text = shown = str(exc)
        self.post_message(self.ReceiptDrawn(text, shown))

    def on_receipt_screen_receipt_drawn(self, message: ReceiptDrawn) -> None:
        self.show_text(message.text, shown=message.shown)
