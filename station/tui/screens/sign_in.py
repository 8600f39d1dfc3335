"""Sign-in: operator ID and PIN. Also the lock screen after idle time."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from station.errors import NotAllowed
from station.service import Operator

from ..bindings import localize_bindings
from ..collector import pause_collection, resume_collection
from ..failures import ReportsFailures
from ..i18n import t
from ..widgets.footer import StationFooter

if TYPE_CHECKING:
    from ..app import StationApp

__all__ = ["SignInScreen"]


class SignInScreen(ReportsFailures, Screen[None]):
    BINDINGS = [
        # Priority bindings run as each key arrives. Moving on from the ID field from a
        # handler of the field instead let the keys right behind (a burst from tmux or a
        # quick typist) land in the ID field: the PIN showed there in clear text.
        Binding("tab", "app.focus_next", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True),
        Binding("enter", "to_pin", show=False, priority=True),
    ]

    class OperatorSignedIn(Message):
        def __init__(self, operator: Operator, was_locked: bool) -> None:
            super().__init__()
            self.operator = operator
            self.was_locked = was_locked

    class SignInFailed(Message):
        def __init__(self, problem: str) -> None:
            super().__init__()
            self.problem = problem

    def __init__(self, locked_by: Operator | None = None) -> None:
        super().__init__()
        self.locked_by = locked_by
        localize_bindings(self)

    @property
    def station_app(self) -> StationApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        service = self.station_app.service
        with Center(), Vertical(id="sign-in-box"):
            yield Static(service.station.name, id="station-name")
            yield Static(t("locked_title") if self.locked_by else t("sign_in_title"), id="sign-in-title")
            yield Label(t("operator_id"))
            yield Input(value=self.locked_by.id if self.locked_by else "", id="operator-id", max_length=32)
            yield Label(t("pin"))
            yield Input(password=True, id="pin", max_length=32)
            yield Static(t("sign_in_hint"), id="sign-in-message")
        yield StationFooter()

    def on_mount(self) -> None:
        self.query_one("#pin" if self.locked_by else "#operator-id", Input).focus()
        self.call_after_refresh(resume_collection)  # start-up's burst is over once this is drawn

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "to_pin":  # Enter in the PIN field signs in (Input.Submitted, in key order)
            return self.focused is not None and self.focused.id == "operator-id"
        return True

    def action_to_pin(self) -> None:
        self.set_focus(self.query_one("#pin", Input))

    @on(Input.Submitted, "#pin")
    def _submit(self) -> None:
        agent_id = self.query_one("#operator-id", Input).value.strip()
        pin = self.query_one("#pin", Input).value
        if not agent_id or not pin:
            self._show_problem(t("enter_id_and_pin"))
            return
        self.query_one("#sign-in-message", Static).update(t("working"))
        pause_collection()  # until the Today board is drawn, or the sign-in fails
        self._sign_in(agent_id, pin)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _sign_in(self, agent_id: str, pin: str) -> None:
        try:
            operator = self.station_app.service.sign_in(agent_id, pin)
        except NotAllowed as exc:
            self.post_message(self.SignInFailed(str(exc)))
            return
        self.post_message(self.OperatorSignedIn(operator, was_locked=self.locked_by is not None))

    def on_sign_in_screen_sign_in_failed(self, message: SignInFailed) -> None:
        message.stop()
        resume_collection()
        pin = self.query_one("#pin", Input)
        pin.value = ""
        pin.focus()
        self._show_problem(message.problem)

    def _show_problem(self, problem: str) -> None:
        self.query_one("#sign-in-message", Static).update(Text(problem, style="bold red"))
