"""A background sync loop for the terminal app: a daemon thread, never the UI's event loop.

The app calls ``start()``, reads ``status()`` whenever it redraws, may ``poke()`` after
recording something, and ``stop()`` on quit. While the city hall is unreachable the
wait between attempts grows (with jitter) up to ``max_interval_s``; one success resets it.

Quitting never waits for the network: ``stop()`` gives a round in flight a moment to end,
then lets the process go with the daemon thread still waiting on its socket. That is safe
because nothing durable depends on the round finishing: events are marked pushed only in
the transaction that records the hub's answer, so a round cut anywhere leaves them pending
(an uncommitted write is rolled back) and the next start sends them again, which the hub
answers as duplicates.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from station.errors import StationError
from station.service import StationService

from .client import SyncClient, SyncReport
from .round import sync_round

__all__ = ["BackgroundSync", "LoopStatus"]

log = logging.getLogger("station.sync")


@dataclass(frozen=True)
class LoopStatus:
    online: bool | None = None
    """None until the first round has ended, then whether it reached the city hall."""
    pending: int = 0
    rejected: int = 0
    last_contact: float | None = None
    """Unix time of the last successful round with the city hall."""
    last_error: str | None = None
    running: bool = False
    last_report: SyncReport | None = None


class BackgroundSync:
    def __init__(self, service: StationService, *, interval_s: float = 30.0, max_interval_s: float = 300.0,
                 client_factory: Callable[[StationService], SyncClient] | None = None) -> None:
        self.service = service
        self.interval_s, self.max_interval_s = interval_s, max_interval_s
        self._client_factory = client_factory or (lambda svc: SyncClient(svc, give_up_after=20.0))
        self._wake, self._stopping = threading.Event(), threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        counts = service.outbox_counts()
        self._status = LoopStatus(pending=counts["pending"], rejected=counts["rejected"])

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="station-sync", daemon=True)
            self._thread.start()
            self._set(running=True)

    def stop(self, timeout_s: float = 0.1) -> None:
        """Ask the loop to end; wait at most ``timeout_s`` for a round in flight (see above)."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        self._set(running=False)

    def poke(self) -> None:
        """Sync soon (after the operator recorded something)."""
        self._wake.set()

    def status(self) -> LoopStatus:
        with self._lock:
            return self._status

    def _set(self, **changes: object) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)  # type: ignore[arg-type]

    def _run(self) -> None:
        wait = self.interval_s
        while not self._stopping.is_set():
            wait = self.interval_s if self._round() else min(self.max_interval_s, wait * 2)
            self._wake.wait(wait * random.uniform(0.8, 1.2))
            self._wake.clear()

    def _round(self) -> bool:
        try:
            # files for at most a minute after the events; none starts once the app is quitting
            report = sync_round(self.service, 20.0, files_budget_s=60.0, fetch_open_cases=True,
                                client_factory=lambda service, _: self._client_factory(service),
                                files_wanted=lambda: not self._stopping.is_set()).events
        except StationError as exc:
            log.warning("sync round failed (will retry): %s", exc)  # the app's log keeps a trace of each failure
            self._set(online=False, last_error=str(exc), **self._outbox_counts())
            return False
        except Exception as exc:  # noqa: BLE001 - the loop must outlive any one bad round
            log.exception("sync round failed unexpectedly (will retry)")
            self._set(online=False, last_error=f"{type(exc).__name__}: {exc}")
            return False
        if not self._status.online:
            log.info("sync: in contact with the city hall again")
        self._set(online=True, last_error=None, pending=report.pending, rejected=report.rejected,
                  last_contact=time.time(), last_report=report)
        return True

    def _outbox_counts(self) -> dict[str, int]:
        """What waits in the outbox, for the status line; nothing once the app is quitting, which may
        have closed the store while the round was failing (the loop's thread must not die of it)."""
        if self._stopping.is_set():
            return {}
        try:
            counts = self.service.outbox_counts()
        except Exception:  # noqa: BLE001 - the store closed under the round: the next status read says why
            log.warning("the outbox could not be counted after a failed sync round", exc_info=True)
            return {}
        return {"pending": counts["pending"], "rejected": counts["rejected"]}
