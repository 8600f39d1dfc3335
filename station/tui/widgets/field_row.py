"""One labelled form line, checked as it is typed: label, input (or choice), problem."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from forms import InvalidValue

from ..failures import ReportsFailures

__all__ = ["FieldRow", "Check"]

Check = Callable[[str], Any]
"""Returns the clean value or raises ``InvalidValue`` with a message for the operator."""


class FieldRow(ReportsFailures, Widget):
    DEFAULT_CSS = """
    FieldRow { height: auto; }
    FieldRow > Horizontal { height: auto; }
    FieldRow .field-label { width: 24; height: auto; }
    FieldRow Input, FieldRow Select { width: 1fr; }
    FieldRow Input { background: $panel; }
    FieldRow Input:focus { background: $panel-lighten-2; }
    FieldRow .field-problem { color: $error; height: auto; padding-left: 24; }
    FieldRow .field-problem.-empty { display: none; }
    """

    class Edited(Message):
        """The value changed (posted after it was checked)."""

        def __init__(self, row: FieldRow) -> None:
            super().__init__()
            self.row = row

        @property
        def control(self) -> FieldRow:
            return self.row

    class Submitted(Message):
        """Enter was pressed in this row."""

        def __init__(self, row: FieldRow) -> None:
            super().__init__()
            self.row = row

        @property
        def control(self) -> FieldRow:
            return self.row

    def __init__(self, key: str, label: str, check: Check | None = None, *, required: bool = True,
                 value: str = "", placeholder: str = "", choices: tuple[str, ...] = (), password: bool = False,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.key = key
        self.label = label
        self.check = check
        self.required = required
        self.initial = value
        self.placeholder = placeholder
        self.choices = choices
        self.password = password
        self.touched = False

    def compose(self) -> ComposeResult:
        mark = "*" if self.required else " "
        with Horizontal():
            # a long label wraps onto a second line: cut, it hid what the field means and its unit
            yield Label(Text(f"{mark}{self.label}", overflow="fold"), classes="field-label")
            if self.choices:
                yield Select([(c, c) for c in self.choices], value=self.initial if self.initial in self.choices
                             else Select.NULL, prompt=self.placeholder or "—", compact=True)
            else:
                # entering a filled field puts the cursor at its end: selecting all of it let one
                # Backspace meant for the last digit wipe all 18
                yield Input(self.initial, placeholder=self.placeholder, compact=True, password=self.password,
                            select_on_focus=False)
        yield Static("", classes="field-problem -empty")

    @property
    def value(self) -> str:
        if self.choices:
            selected = self.query_one(Select).value
            return "" if selected is Select.NULL else str(selected)
        return self.query_one(Input).value

    def set_value(self, value: str) -> None:
        if self.choices:
            self.query_one(Select).value = value if value in self.choices else Select.NULL
        else:
            self.query_one(Input).value = value
        self.touched = True
        self.show_problem(self.problem())

    def clear(self) -> None:
        """Empty again, as if never touched (no "please fill in" until the operator leaves it)."""
        if self.choices:
            self.query_one(Select).value = Select.NULL
        else:
            self.query_one(Input).value = ""
        self.touched = False
        self.show_problem(None)

    def focus_input(self) -> None:
        (self.query_one(Select) if self.choices else self.query_one(Input)).focus()

    def problem(self) -> str | None:
        """What is wrong with the value now, in words for the operator; None when fine."""
        raw = self.value.strip()
        if not raw:
            return f"请填写{self.label}" if self.required else None
        if self.check is None:
            return None
        try:
            self.check(raw)
        except InvalidValue as exc:
            return str(exc)
        return None

    def show_problem(self, problem: str | None) -> None:
        line = self.query_one(".field-problem", Static)
        line.update(problem or "")
        line.set_class(not problem, "-empty")

    @on(Input.Changed)
    @on(Select.Changed)
    def _checked_as_typed(self, event: Input.Changed | Select.Changed) -> None:
        event.stop()
        if self.touched or self.value:
            self.touched = True
            problem = self.problem()
            # an empty required field says so only once the operator has left it
            self.show_problem(problem if self.value.strip() else None)
        # a choice made keeps the cursor here: moving on by itself made the next Tab skip a field
        # (and, on the last field, left the form unseen); Tab or Enter in the next field moves on
        self.post_message(self.Edited(self))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.touched = True
        self.show_problem(self.problem())
        self.post_message(self.Submitted(self))
