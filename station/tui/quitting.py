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
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["DaemonThreadExecutor", "use_daemon_workers"]

T = TypeVar("T")


_GRACE_S = 0.3
"""How long quitting waits for workers still running: a read of the store ends well within it,
a round stuck on the network does not and is left behind."""


class DaemonThreadExecutor(ThreadPoolExecutor):
    """One daemon thread per call; ``shutdown`` returns at once (the threads end with the process).

    A ThreadPoolExecutor only in name (asyncio accepts no other default executor): its pool
    threads are joined at interpreter exit, which is the very wait this class avoids.
    """

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self._running: set[threading.Thread] = set()
        self._running_lock = threading.Lock()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()

        def run() -> None:
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(fn(*args, **kwargs))
                    except BaseException as exc:  # noqa: BLE001 - handed to whoever awaits the future
                        future.set_exception(exc)
            finally:
                with self._running_lock:
                    self._running.discard(threading.current_thread())

        thread = threading.Thread(target=run, name="station-worker", daemon=True)
        with self._running_lock:
            self._running.add(thread)
        thread.start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Waits a moment for running workers, never longer (see the module's docstring)."""
        if not wait:
            return
        deadline = time.monotonic() + _GRACE_S
        with self._running_lock:
            running = list(self._running)
        for thread in running:
            thread.join(max(0.0, deadline - time.monotonic()))


def use_daemon_workers() -> None:
    """Call from the running event loop (the app's ``on_mount``)."""
    asyncio.get_running_loop().set_default_executor(DaemonThreadExecutor())
