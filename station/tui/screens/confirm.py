"""A yes/no question before something that cannot be undone (leaving an unsaved case)."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..bindings import localize_bindings
from ..failures import ReportsFailures
from ..i18n import t
from ..phrases import phrase_lines

__all__ = ["ConfirmScreen"]

BOX_CELLS = 56
"""``#confirm-box`` width in confirm.tcss; its border and padding take 4 of it."""


class ConfirmScreen(ReportsFailures, ModalScreen[bool]):
    """``y`` answers yes; ``n`` or Escape answers no (the safe answer)."""

    BINDINGS = [
        Binding("y", "answer(True)", "yes"),
        Binding("n", "answer(False)", "no"),
        Binding("escape", "answer(False)", "no", show=False),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            cells = min(BOX_CELLS, self.app.size.width) - 4
            yield Static(phrase_lines(self.question, cells), id="confirm-question")
            yield Static(t("confirm_keys"), id="confirm-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
