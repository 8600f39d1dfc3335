"""A printable document on screen (the one-time notice, a receipt): read, save to print."""
from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from ..i18n import t
from ..printing import save_printable
from .base import StationScreen

__all__ = ["DocumentScreen"]


class DocumentScreen(StationScreen):
    """Shows ``text``; ``p`` saves it under ``name`` for printing."""

    BINDINGS = [
        Binding("escape", "back", "back"),
        Binding("p", "print", "print"),
    ]
    SAVED_KEY = "receipt_saved"
    NO_WRAP = True
    """A receipt's QR drawing must not wrap; a text-only document wraps to the screen."""

    class DocumentSaved(Message):
        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    def __init__(self, title: str, text: str, name: str, *, message: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.document_name = name
        self.message = message
        """What just happened (filed, saved), on a line of its own: a toast would cover the document."""

    def compose_body(self) -> ComposeResult:
        yield Static(self.title_text, id="document-title")
        yield Static(self.message, id="document-message", classes="" if self.message else "-empty")
        with VerticalScroll(id="document-scroll"):
            yield Static(Text(self.text, no_wrap=self.NO_WRAP), id="document-text")

    def on_mount(self) -> None:
        # a toast from the screen before would sit on the document (the receipt's tracking URL)
        self.app.clear_notifications()
        self.query_one("#document-scroll").focus()

    def say(self, message: str) -> None:
        self.message = message
        line = self.query_one("#document-message", Static)
        line.update(message)
        line.set_class(not message, "-empty")

    def show_text(self, text: str, *, shown: str | None = None) -> None:
        """``text`` is what ``p`` prints; ``shown``, if given, is the on-screen layout of it."""
        self.text = text
        self.query_one("#document-text", Static).update(Text(shown or text, no_wrap=self.NO_WRAP))

    def action_back(self) -> None:
        self.dismiss()

    def action_print(self) -> None:
        if self.text:
            self._save(self.text)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _save(self, text: str) -> None:
        self.post_message(self.DocumentSaved(save_printable(self.station_app.service.home, self.document_name, text)))

    def on_document_screen_document_saved(self, message: DocumentSaved) -> None:
        self.say(t(self.SAVED_KEY, path=str(message.path)))
