"""Asks only what one action needs: a reason, materials, a rating; or just a confirmation."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from station.actions import ActionInput

from ..bindings import localize_bindings
from ..case_actions import ActionChoice
from ..failures import ReportsFailures
from ..i18n import t
from ..widgets.footer import StationFooter

__all__ = ["ActionDialog"]

_LEVELS = ((5, "5 非常满意"), (4, "4 满意"), (3, "3 基本满意"), (2, "2 不满意"), (1, "1 非常不满意"))


class ActionDialog(ReportsFailures, ModalScreen[ActionInput | None]):
    BINDINGS = [
        Binding("escape", "cancel", "cancel"),
        Binding("ctrl+s", "confirm", "ok", priority=True),
    ]

    def __init__(self, choice: ActionChoice) -> None:
        super().__init__()
        self.choice = choice
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        choice = self.choice
        with Vertical(id="action-box"):
            yield Static(t("confirm_action", label=choice.label), id="action-title")
            if choice.material_choices:
                yield Label(t("choose_materials"))
                yield SelectionList[str](*[(name, key) for key, name in choice.material_choices], id="action-materials")
            if choice.needs_level:
                yield Label(t("rating"))
                yield Select([(label, level) for level, label in _LEVELS], value=5, allow_blank=False,
                             compact=True, id="action-level")
            if choice.reason_prompt or choice.needs_level:
                yield Label(choice.reason_prompt or t("comment"))
                yield Input(id="action-reason", compact=True, max_length=500)
            yield Static("", id="action-problem")
            with Horizontal(id="action-buttons"):
                yield Button(t("ok"), variant="primary", id="action-ok")
                yield Button(t("cancel"), id="action-cancel")
        yield StationFooter()  # the keys: ^s for OK, esc to cancel

    def on_mount(self) -> None:
        focusable = list(self.query("#action-materials, #action-level, #action-reason"))
        (focusable[0] if focusable else self.query_one("#action-ok")).focus()

    @on(Button.Pressed, "#action-ok")
    @on(Input.Submitted, "#action-reason")
    def action_confirm(self) -> None:
        reason = self._value("#action-reason", Input)
        materials = tuple(self.query_one("#action-materials", SelectionList).selected) \
            if self.choice.material_choices else ()
        level = int(self.query_one("#action-level", Select).value) if self.choice.needs_level else None  # type: ignore[arg-type]
        problem = self._problem(reason, materials)
        if problem:
            self.query_one("#action-problem", Static).update(problem)
            return
        self.dismiss(ActionInput(self.choice.kind, reason, materials, level))

    def _value(self, selector: str, kind: type[Input]) -> str:
        found = self.query(selector)
        return found.first(kind).value.strip() if found else ""

    def _problem(self, reason: str, materials: tuple[str, ...]) -> str | None:
        if self.choice.reason_prompt and not reason:
            return f"请填写{self.choice.reason_prompt}"
        if self.choice.material_choices and not materials:
            return t("choose_at_least_one")
        return None

    @on(Button.Pressed, "#action-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
