"""What the app needs from sync, and a stand-in that works with no sync package at all.

The app talks to a :class:`SyncPort`. ``station tui`` plugs in the ``sync`` package's
background loop (:mod:`station.tui.sync_loop_port`); tests and a station without the
sync package use :class:`StoreSyncPort`, which reads the state from the store: events
waiting (outbox pending), rejected events, and the last contact from meta
``last_contact``. No method here touches the network on the caller's thread: the app
calls them from thread workers.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from station.home import CHINA_TZ
from station.service import StationService

if TYPE_CHECKING:
    from sync.round import RoundReport

__all__ = ["PulledListener", "SyncStatus", "SyncPort", "SyncUnavailable", "StoreSyncPort", "connect_sync",
           "contact_time"]


class SyncUnavailable(RuntimeError):
    """The sync package is not installed (or cannot run here)."""


@dataclass(frozen=True)
class SyncStatus:
    online: bool | None
    """True/False when a sync loop knows; None when there is no sync loop."""
    pending: int
    rejected: int
    last_contact: str | None
    """ISO time (China time) of the last successful exchange with the city hall, if any."""
    rejected_events: list[dict[str, Any]] = field(default_factory=list)
    """id, case_no, kind, at, reason of each rejected event (for the sync screen)."""
    connecting: bool = False
    """A sync loop runs but its first round has not ended: neither online nor offline yet."""


PulledListener = Callable[[int], None]
"""Called on the sync thread with how many new events a background round stored."""


class SyncPort(Protocol):
    def status(self) -> SyncStatus: ...

    def listen(self, pulled: PulledListener) -> None: ...

    def sync_now(self) -> RoundReport: ...

    def export_bundle(self, path: Path, for_station: str | None = None) -> dict[str, Any]:
        """Up to the city hall, or with ``for_station`` down to that station below this one."""

    def import_bundle(self, path: Path) -> dict[str, Any]: ...


class StoreSyncPort:
    """Sync state from the store alone; acting raises :class:`SyncUnavailable`."""

    def __init__(self, service: StationService) -> None:
        self.service = service

    def status(self) -> SyncStatus:
        store = self.service.store
        counts = self.service.outbox_counts()
        rejected = store.rejected_events() if counts.get("rejected") else []
        return SyncStatus(online=None, pending=counts.get("pending", 0), rejected=counts.get("rejected", 0),
                          last_contact=contact_time(store.get_meta("last_contact")), rejected_events=rejected[:200])

    def listen(self, pulled: PulledListener) -> None:
        """Nothing arrives in the background without the sync package."""

    def sync_now(self) -> RoundReport:
        raise SyncUnavailable

    def export_bundle(self, path: Path, for_station: str | None = None) -> dict[str, Any]:
        raise SyncUnavailable

    def import_bundle(self, path: Path) -> dict[str, Any]:
        raise SyncUnavailable


def contact_time(stored: str | None) -> str | None:
    """The stored last contact as ISO China time: the sync session writes Unix seconds.

    An ISO text (older homes, tests) passes through; anything unreadable counts as never.
    """
    if not stored:
        return None
    try:
        seconds = float(stored)
    except ValueError:
        try:
            return datetime.fromisoformat(stored).isoformat(timespec="seconds")
        except ValueError:
            return None
    return datetime.fromtimestamp(seconds, CHINA_TZ).isoformat(timespec="seconds")


def connect_sync(service: StationService) -> SyncPort:
    """The sync package's background loop when it is installed, else the store-only stand-in.

    Call from a worker thread: importing the sync stack takes a while.
    """
    try:
        from .sync_loop_port import LoopSyncPort

        return LoopSyncPort(service)
    except ImportError:
        return StoreSyncPort(service)
    except Exception:  # a broken sync setup must not stop the station from working
        logging.getLogger("station.tui").exception("sync could not start; showing the store's state")
        return StoreSyncPort(service)
