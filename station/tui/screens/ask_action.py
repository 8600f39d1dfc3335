"""Asks what a chosen action needs, the same way on the case screen and the work queue.

The legal clock's kinds need days and dates (:class:`ClockDialog`); ``resumed`` needs
nothing; every other kind asks for its reason, materials or level (:class:`ActionDialog`).
"""
from __future__ import annotations

from collections.abc import Callable

from textual.app import App

from station.actions import ActionInput
from station.ledger import CLOCK_KINDS

from ..queue_actions import QueueChoices
from .action_dialog import ActionDialog
from .clock_dialog import ClockDialog

__all__ = ["ask_action"]


def ask_action(app: App[object], choices: QueueChoices, kind: str, record: Callable[[ActionInput], object],
               cancelled: Callable[[], None] = lambda: None) -> None:
    """Calls ``record`` with the filled-in action, or ``cancelled`` when the operator turns it down."""
    def then(action: ActionInput | None) -> None:
        if action is not None:
            record(action)
        else:
            cancelled()

    if kind in ("extended", "suspended"):
        app.push_screen(ClockDialog(kind, choices.pauses, choices.most_extension_days), then)
    elif kind in CLOCK_KINDS:
        record(ActionInput(kind))
    else:
        choice = next(c for c in choices.actions if c.kind == kind)
        app.push_screen(ActionDialog(choice), then)
