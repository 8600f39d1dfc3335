"""Quitting never waits for the network.

Textual runs thread workers on the event loop's default executor, and ``asyncio.run`` waits
for that executor's threads before it returns: a sync round stuck on an unreachable city hall
kept a blank screen up for seconds after ``ctrl+q``. The app's workers therefore run on
daemon threads that nobody waits for at exit. What they were doing is safe to drop: every
write is one SQLite transaction (all or nothing), and unsent events stay in the outbox.
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["DaemonThreadExecutor", "use_daemon_workers"]

T = TypeVar("T")


class DaemonThreadExecutor(ThreadPoolExecutor):
    """One daemon thread per call; ``shutdown`` returns at once (the threads end with the process).

    A ThreadPoolExecutor only in name (asyncio accepts no other default executor): its pool
    threads are joined at interpreter exit, which is the very wait this class avoids.
    """

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - handed to whoever awaits the future
                future.set_exception(exc)

        threading.Thread(target=run, name="station-worker", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to wait for: see the module's docstring."""


def use_daemon_workers() -> None:
    """Call from the running event loop (the app's ``on_mount``)."""
    asyncio.get_running_loop().set_default_executor(DaemonThreadExecutor())
