"""The sync package behind the app's :class:`SyncPort`: background loop, sync now, bundles.

Imported only from a worker thread (the sync stack is heavy), so start-up never waits for it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from station.errors import Unreachable
from station.service import StationService

from .sync_port import StoreSyncPort, SyncStatus

__all__ = ["LoopSyncPort"]


class LoopSyncPort:
    """Status from ``sync.loop.BackgroundSync`` (started here), actions from ``sync`` itself."""

    def __init__(self, service: StationService) -> None:
        from sync.loop import BackgroundSync

        self.service = service
        self.store_port = StoreSyncPort(service)
        self.loop = BackgroundSync(service)
        self.loop.start()

    def status(self) -> SyncStatus:
        from_store = self.store_port.status()
        loop = self.loop.status()
        return SyncStatus(online=loop.online, pending=from_store.pending, rejected=from_store.rejected,
                          last_contact=from_store.last_contact, rejected_events=from_store.rejected_events)

    def sync_now(self) -> dict[str, Any]:
        from sync.client import SyncClient

        with SyncClient(self.service, give_up_after=20.0) as client:
            report = client.sync_once()
        if report.pushed == 0 and report.pulled == 0 and not self.loop.status().online and report.pending:
            raise Unreachable("连不上市政务服务中心，数据已保存在本机，稍后自动重试")
        return {"pushed": report.pushed, "pulled": report.pulled, "rejected": report.rejected,
                "pending": report.pending}

    def export_bundle(self, path: Path) -> dict[str, Any]:
        from sync.carry import export_bundle

        return export_bundle(self.service, path)

    def import_bundle(self, path: Path) -> dict[str, Any]:
        from sync.carry import import_bundle

        return import_bundle(self.service, path)

    def close(self) -> None:
        self.loop.stop(timeout_s=2.0)
