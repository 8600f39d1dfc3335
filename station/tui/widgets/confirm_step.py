"""Intake step 5: the summary, and the citizen's authorisation for the agent to file."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Static

from ..failures import ReportsFailures
from ..i18n import t

__all__ = ["ConfirmStep"]


class TickBox(ReportsFailures, Checkbox):
    """A checkbox that is empty until ticked (Textual's shows an "X" either way, told apart only by colour)."""

    BUTTON_INNER = " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "✔" if self.value else " "
        super().watch_value()


class ConfirmStep(ReportsFailures, Widget):
    DEFAULT_CSS = """
    ConfirmStep { height: 1fr; }
    ConfirmStep #confirm-summary { height: auto; margin-bottom: 1; }
    ConfirmStep #confirm-warnings { height: auto; color: $warning; text-style: bold; }
    ConfirmStep #confirm-warnings.-empty { display: none; }
    ConfirmStep #confirm-problems { height: auto; color: $error; }
    """

    class Confirmed(Message):
        pass

    def compose(self) -> ComposeResult:
        yield Static("", id="confirm-summary")
        yield Static("", id="confirm-warnings", classes="-empty")
        yield TickBox(t("authorised"), id="authorised")
        yield Static("", id="confirm-problems")

    def show_summary(self, summary: str) -> None:
        self.query_one("#confirm-summary", Static).update(Text(summary))
        self.show_problems([])

    def show_warnings(self, warnings: list[str]) -> None:
        """What the agent must see before filing, though it does not stop the filing."""
        line = self.query_one("#confirm-warnings", Static)
        line.update(Text("\n".join(warnings)))
        line.set_class(not warnings, "-empty")

    def show_problems(self, problems: list[str]) -> None:
        self.query_one("#confirm-problems", Static).update(Text("\n".join(problems)))

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        """Ticked: the reminder to tick it goes (what the filing itself was refused for stays)."""
        problems = self.query_one("#confirm-problems", Static)
        if event.value and str(problems.content) == t("must_authorise"):
            self.show_problems([])

    def focus_first(self) -> None:
        self.query_one(Checkbox).focus()

    def finish(self) -> None:
        if not self.query_one(Checkbox).value:
            self.show_problems([t("must_authorise")])
            self.query_one(Checkbox).focus()
            return
        self.post_message(self.Confirmed())
