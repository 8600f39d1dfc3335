"""Asks what the legal clock's actions need: an extension's days and reason, a pause's step and end."""
from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from station.actions import ActionInput
from station.ledger import KIND_LABELS, MAX_EXTENSION_REASON

from ..bindings import localize_bindings
from ..failures import ReportsFailures
from ..i18n import t
from ..widgets.footer import StationFooter

__all__ = ["ClockDialog"]


class ClockDialog(ReportsFailures, ModalScreen[ActionInput | None]):
    """``kind`` is ``extended`` or ``suspended``; ``pauses`` the statutory steps this item has."""

    BINDINGS = [
        Binding("escape", "cancel", "cancel"),
        Binding("ctrl+s", "confirm", "ok", priority=True),
    ]

    def __init__(self, kind: str, pauses: tuple[str, ...] = (), most_days: int | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.pauses = pauses
        self.most_days = most_days
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="clock-box"):
            yield Static(t("confirm_action", label=KIND_LABELS[self.kind]), id="clock-title")
            if self.kind == "extended":
                most = f"（最多 {self.most_days} 个）" if self.most_days is not None else ""
                yield Label(f"延长的工作日数{most}")
                yield Input(id="clock-days", compact=True, type="integer", max_length=3)
                yield Label("延期理由（经负责人批准）")
                yield Input(id="clock-reason", compact=True, max_length=MAX_EXTENSION_REASON)
            else:
                yield Label("法定不计时环节")
                yield Select([(p, p) for p in self.pauses], value=self.pauses[0], allow_blank=False,
                             compact=True, id="clock-pause")
                yield Label("预计结束日期（选填，YYYY-MM-DD）")
                yield Input(id="clock-until", compact=True, max_length=10, placeholder="2026-10-19")
            yield Static("", id="clock-problem")
            with Horizontal(id="clock-buttons"):
                yield Button(t("ok"), variant="primary", id="clock-ok")
                yield Button(t("cancel"), id="clock-cancel")
        yield StationFooter()  # the keys: ^s for OK, esc to cancel

    def on_mount(self) -> None:
        self.query_one("#clock-days" if self.kind == "extended" else "#clock-pause").focus()

    @on(Input.Submitted, "#clock-days")
    def _to_reason(self) -> None:
        self.query_one("#clock-reason", Input).focus()

    @on(Button.Pressed, "#clock-ok")
    @on(Input.Submitted, "#clock-reason, #clock-until")
    def action_confirm(self) -> None:
        action, problems = self._extension() if self.kind == "extended" else self._suspension()
        if problems:
            self.query_one("#clock-problem", Static).update("\n".join(problems))
            return
        self.dismiss(action)

    def _extension(self) -> tuple[ActionInput, list[str]]:
        raw_days = self.query_one("#clock-days", Input).value.strip()
        reason = self.query_one("#clock-reason", Input).value.strip()
        problems = []
        days = int(raw_days) if raw_days.isdigit() else None
        if days is None or days < 1:
            problems.append("请填写延长的工作日数（1 以上的整数）")
        elif self.most_days is not None and days > self.most_days:
            problems.append(f"最多可延长 {self.most_days} 个工作日")
        if not reason:
            problems.append("请填写延期理由")
        return ActionInput("extended", reason, days=days), problems

    def _suspension(self) -> tuple[ActionInput, list[str]]:
        reason = str(self.query_one("#clock-pause", Select).value)
        until = self.query_one("#clock-until", Input).value.strip()
        problems = []
        if until:
            try:
                date.fromisoformat(until)
            except ValueError:
                problems.append(f"预计结束日期应写成 YYYY-MM-DD，现在是“{until}”")
        return ActionInput("suspended", reason, until=until or None), problems

    @on(Button.Pressed, "#clock-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
