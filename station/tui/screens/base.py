"""What every signed-in screen shares: the sync bar on top, key hints at the bottom."""
from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.screen import Screen

from ..bindings import localize_bindings
from ..failures import ReportsFailures
from ..sync_port import SyncStatus
from ..widgets.footer import StationFooter
from ..widgets.sync_bar import SyncBar

if TYPE_CHECKING:
    from ..app import StationApp

__all__ = ["StationScreen"]


class StationScreen(ReportsFailures, Screen[None]):
    """Subclasses yield their body from ``compose_body``."""

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)

    @property
    def station_app(self) -> StationApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        app = self.station_app
        bar = SyncBar(app.service.station.name)
        bar.operator = app.operator
        bar.status = app.sync_status
        yield bar
        yield from self.compose_body()
        yield StationFooter()

    def sync_status_changed(self, status: SyncStatus) -> None:
        for bar in self.query(SyncBar):
            bar.status = status

    def events_arrived(self) -> None:
        """A background sync stored new events; screens that show cases read them again."""

    def compose_body(self) -> ComposeResult:
        yield from ()
