"""One sync round, the same for ``station sync``, the app's background loop and its "sync now".

A round relays carried bundles, pushes what is pending, pulls until caught up, takes the
city hall's publications and notices (:meth:`sync.client.SyncClient.sync_once`), then sends
waiting attachment files in what is left of the window: a case never waits for its files.
The background loop also fetches the files of open cases this station handles, so the
clerk finds the scans already there (``fetch_open_cases``); a command fetches only when asked
(``station attachments CASE --fetch``).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from forms.jsonvalue import JsonObject
from station.errors import StationError
from station.ledger import OPEN_STATUSES
from station.service import StationService
from station.store import CaseQuery

from .client import SyncClient, SyncReport
from .files import FileTransfer, TransferReport

__all__ = ["RoundReport", "sync_round", "MIN_FILE_ROUND_S"]

MIN_FILE_ROUND_S = 0.5
"""Less time than this left after the events: no file is started, all of them go next time."""

ClientFactory = Callable[[StationService, float], SyncClient]


@dataclass(frozen=True)
class RoundReport:
    events: SyncReport
    files: TransferReport
    files_error: str | None = None
    """Why the files could not go (the events' sync still stands)."""

    def files_json(self) -> JsonObject:
        """What ``station sync`` prints under ``files``."""
        files = self.files
        return {"uploaded": files.uploaded, "bytes_sent": files.bytes_sent, "pending": files.pending,
                "waiting_for_events": files.waiting_for_events, "errors": list(files.errors), "error": self.files_error,
                "out_of_time": files.out_of_time}

    def to_json(self) -> JsonObject:
        """``station sync --json`` (DESIGN §7); the app's "sync now" shows the same figures by attribute."""
        events = self.events
        return {"pushed": events.pushed, "pulled": events.pulled, "rejected": events.rejected,
                "pending": events.pending, "clock_offset_s": events.clock_offset_s,
                "relayed_bundles": events.relayed_bundles,
                "refused_bundles": events.refused_bundles, "parked": events.parked, "files": self.files_json()}


def _client(service: StationService, give_up_after: float) -> SyncClient:
    return SyncClient(service, give_up_after=give_up_after)


def _always() -> bool:
    return True


def sync_round(service: StationService, give_up_after: float, *, files_budget_s: float | None = None,
               fetch_open_cases: bool = False, client_factory: ClientFactory = _client,
               files_wanted: Callable[[], bool] = _always) -> RoundReport:
    """Events, then files, inside ``give_up_after`` seconds (files: ``files_budget_s`` if given).

    A failure of the events' part raises (:class:`StationError`); one of the files' part is
    reported in the answer. ``files_wanted()`` false after the events (the app is quitting):
    no file starts.
    """
    deadline = time.monotonic() + give_up_after
    with client_factory(service, give_up_after) as client:
        events = client.sync_once()
    if not files_wanted():
        return RoundReport(events, TransferReport())
    budget = max(deadline - time.monotonic() if files_budget_s is None else files_budget_s, 0.0)
    files, error = _files(service, budget, min(budget, give_up_after), fetch_open_cases)
    return RoundReport(events, files, error)


def _files(service: StationService, seconds: float, give_up_after: float,
           fetch_open_cases: bool) -> tuple[TransferReport, str | None]:
    transfer = FileTransfer(service, give_up_after=max(give_up_after, 0.1), time_budget_s=seconds)
    try:
        with transfer:
            if seconds < MIN_FILE_ROUND_S:
                waiting = transfer.count_pending()
                waiting.out_of_time = waiting.pending > 0
                return transfer.report, None
            transfer.upload_pending()
            if fetch_open_cases:
                _fetch_open_cases(service, transfer)
    except StationError as exc:
        return transfer.report, str(exc)
    return transfer.report, None


def _fetch_open_cases(service: StationService, transfer: FileTransfer) -> None:
    query = CaseQuery(statuses=tuple(sorted(OPEN_STATUSES)), handler=service.station.code)
    for row in service.store.case_rows(query, limit=200):
        transfer.fetch_case(row["case_no"])
