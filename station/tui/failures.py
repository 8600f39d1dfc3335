"""One place for failures nobody planned for: logged with the traceback, shown in Chinese.

Textual stops a widget's message loop and quits the app when one of its handlers raises.
Every screen and widget of the app (and the app itself) is a :class:`ReportsFailures`, so
an exception in a handler, an action or a worker becomes a message instead, and the
screen keeps what the operator had typed. Writes are transactions, so a failure in the
middle of one leaves the store as it was.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from textual.events import Event
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState

from station.errors import StationError

from .i18n import t

__all__ = ["ReportsFailures", "report_failure", "failure_text"]

log = logging.getLogger("station.tui")


def failure_text(error: BaseException) -> str:
    """What the operator reads: a station error says what to do; anything else says it was logged."""
    if isinstance(error, StationError):
        return t("error", message="；".join(error.problems) or type(error).__name__)
    return t("unexpected", message=f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)


def report_failure(node: MessagePump, error: BaseException) -> None:
    log.error("%s failed: %r", type(node).__name__, error, exc_info=error)
    node.app.notify(failure_text(error), severity="error", timeout=15)


class ReportsFailures(MessagePump):
    """Put first among the bases of a Textual app, screen or widget.

    ``_on_message`` is Textual's dispatch point for every handler of a node (events,
    messages, timers, and on the app the actions of key bindings); the app's priority
    bindings run in ``on_event``. Pinned by ``textual<9`` and tests/tui/test_failures.py.
    """

    async def on_event(self, event: Event) -> None:
        with _reported(self):
            await super().on_event(event)

    async def _on_message(self, message: Message) -> None:
        with _reported(self):
            await super()._on_message(message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # the message does not bubble: each node hears of its own workers only
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            report_failure(self, event.worker.error)


@contextmanager
def _reported(node: MessagePump) -> Iterator[None]:
    try:
        yield
    except Exception as error:  # noqa: BLE001 - the app must outlive any one failure
        report_failure(node, error)
