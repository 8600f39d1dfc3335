"""The sync package behind the app's :class:`SyncPort`: background loop, sync now, bundles.

Imported only from a worker thread (the sync stack is heavy), so start-up never waits for it.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from station.errors import Unreachable
from station.service import StationService

from .sync_port import PulledListener, StoreSyncPort, SyncStatus

if TYPE_CHECKING:
    from sync.client import SyncClient, SyncReport
    from sync.round import RoundReport

__all__ = ["LoopSyncPort"]

ClientFactory = Callable[[StationService], "SyncClient"]


_SYNC_NOW_GIVE_UP_S = 6.0
_RETRY_CAP_S = 60.0


class LoopSyncPort:
    """Status from ``sync.loop.BackgroundSync`` (started here), actions from ``sync`` itself."""

    def __init__(self, service: StationService, client_factory: ClientFactory | None = None) -> None:
        from sync.client import SyncClient
        from sync.loop import BackgroundSync

        self.service = service
        self.store_port = StoreSyncPort(service)
        self._listeners: list[PulledListener] = []
        make_client = client_factory or (lambda svc: SyncClient(svc, give_up_after=20.0))

        def telling_client(svc: StationService) -> SyncClient:
            # the loop only enters its client and calls sync_once()
            return _Telling(make_client(svc), self._pulled)  # type: ignore[return-value]

        # at most a minute between attempts: at the counter, a hub that is back must be seen soon
        self.loop = BackgroundSync(service, client_factory=telling_client, max_interval_s=_RETRY_CAP_S)
        self.loop.start()

    def status(self) -> SyncStatus:
        from_store = self.store_port.status()
        loop = self.loop.status()
        return SyncStatus(online=bool(loop.online), pending=from_store.pending, rejected=from_store.rejected,
                          last_contact=from_store.last_contact, rejected_events=from_store.rejected_events,
                          connecting=loop.online is None)

    def listen(self, pulled: PulledListener) -> None:
        self._listeners.append(pulled)

    def _pulled(self, count: int) -> None:
        for listener in list(self._listeners):
            listener(count)

    def sync_now(self) -> RoundReport:
        from sync.round import sync_round

        # the operator is waiting at the screen: answer within seconds (the background loop keeps retrying)
        round_ = sync_round(self.service, _SYNC_NOW_GIVE_UP_S)
        report = round_.events
        if report.pushed == 0 and report.pulled == 0 and not self.loop.status().online and report.pending:
            raise Unreachable("连不上市政务服务中心，数据已保存在本机，稍后自动重试")
        return round_

    def export_bundle(self, path: Path, for_station: str | None = None) -> dict[str, Any]:
        from sync.carry import export_bundle

        return export_bundle(self.service, path, for_station)

    def import_bundle(self, path: Path) -> dict[str, Any]:
        from sync.carry import import_bundle

        return import_bundle(self.service, path)

    def close(self) -> None:
        self.loop.stop()  # never waits for the network (sync/loop.py says why that is safe)


class _Telling:
    """A sync client for the loop that says when a round stored events (or new items/calendars)."""

    def __init__(self, client: SyncClient, pulled: PulledListener) -> None:
        self.client = client
        self.pulled = pulled

    def __enter__(self) -> _Telling:
        self.client.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.__exit__(*exc)

    def sync_once(self) -> SyncReport:
        report = self.client.sync_once()
        if report.pulled or report.publications:
            self.pulled(report.pulled)
        return report
