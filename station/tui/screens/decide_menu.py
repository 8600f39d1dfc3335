"""Every action this operator may take on one case, as a menu: arrows and Enter choose."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..bindings import localize_bindings
from ..failures import ReportsFailures

__all__ = ["DecideMenu"]


class DecideMenu(ReportsFailures, ModalScreen[str | None]):
    """Dismissed with the chosen kind, or None."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        """(kind, label) in the order shown."""
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="decide-box"):
            yield Static(self.title_text, id="decide-title")
            yield OptionList(*[Option(label, id=kind) for kind, label in self.choices], id="decide-options")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_id)

    def action_cancel(self) -> None:
        self.dismiss(None)

