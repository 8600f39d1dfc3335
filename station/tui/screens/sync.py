"""Sync: what is waiting, what was rejected and why; sync now; bundles for the USB stick."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static

from station.errors import StationError
from station.topology import station_name

from ..i18n import kind_label, t
from ..sync_port import SyncStatus, SyncUnavailable
from .base import StationScreen

if TYPE_CHECKING:
    from sync.round import RoundReport

__all__ = ["SyncScreen", "result_summary", "sync_summary"]


def result_summary(operation: str, result: dict[str, Any]) -> str:
    """What a sync, an export or an import did, in the operator's words, problems on their own lines."""
    if operation == "export_bundle":
        audience = [t("exported_for", station=result["for_station"])] if result.get("for_station") else []
        lines = ["".join([t("exported_summary", **result), *audience]), *result.get("files_left_out", [])]
    elif operation == "import_bundle":
        # nothing new (the same stick imported twice): nothing to relay either, and it says so
        relay = [t("will_relay")] if result.get("will_relay") and result.get("applied") else []
        if not result.get("applied") and not result.get("files"):
            relay = [t("nothing_new")]
        lines = ["，".join([t("imported_summary", station=result["from"], **result), *relay]),
                 *result.get("files_dropped", [])]
    return "\n".join(lines)


def sync_summary(round_: RoundReport) -> str:
    """What one sync round did, in the operator's words."""
    events = round_.events
    done = t("sync_done", summary=t("synced_summary", pushed=events.pushed, pulled=events.pulled,
                                    rejected=events.rejected, pending=events.pending))
    return "\n".join([done, t("relay_refused", n=events.refused_bundles)] if events.refused_bundles else [done])


class SyncScreen(StationScreen):
    BINDINGS = [
        Binding("escape", "back", "back"),
        Binding("f5", "sync_now", "sync_now"),
    ]

    class SyncFinished(Message):
        def __init__(self, ok: bool, text: str) -> None:
            super().__init__()
            self.ok = ok
            self.text = text

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="sync-details"):
            yield Static(t("loading"), id="sync-waiting")
            yield Static("", id="sync-rejected")
        with Horizontal(id="sync-bundle"):
            yield Label(t("bundle_path"))
            yield Input(placeholder="station-bundle.ssb", compact=True, id="bundle-path")
        below = self._stations_below()
        if below:  # a township or county also writes sticks for the stations under it
            with Horizontal(id="sync-audience"):
                yield Label(t("bundle_for"))
                yield Select(below, value="", allow_blank=False, compact=True, id="bundle-for")
        with Horizontal(id="sync-buttons"):
            yield Button(t("sync_now"), variant="primary", id="sync-now")
            yield Button(t("bundle_export"), id="bundle-export")
            yield Button(t("bundle_import"), id="bundle-import")
        yield Static("", id="sync-message")

    def _stations_below(self) -> list[tuple[str, str]]:
        """The choices of where an exported bundle goes: up (the empty value), or each station below."""
        service = self.station_app.service
        below = service.topology.descendants(service.station.code)
        if not below:
            return []
        return [(t("bundle_for_up"), ""),
                *((t("bundle_for_station", name=station_name(service.topology, code), code=code), code) for code in below)]

    def _audience(self) -> str | None:
        """The station below the exported bundle is for; None when it goes up."""
        chosen = self.query("#bundle-for")
        value = chosen.first(Select).value if chosen else ""
        return value if isinstance(value, str) and value else None

    def on_mount(self) -> None:
        self.query_one("#sync-now", Button).focus()
        self.show_status(self.station_app.sync_status)
        self.station_app.refresh_sync_status()

    def sync_status_changed(self, status: SyncStatus) -> None:
        super().sync_status_changed(status)
        self.show_status(status)

    def show_status(self, status: SyncStatus | None) -> None:
        if status is None:
            return
        self.query_one("#sync-waiting", Static).update(t("sync_waiting", n=status.pending))
        rejected = Text(t("sync_rejected") + f" {status.rejected}", style="bold")
        for event in status.rejected_events:
            at = event["at"][:16].replace("T", " ")
            rejected.append(f"\n {at} {event['case_no'][12:24]} {kind_label(event['kind'])}：", style="red")
            rejected.append(str(event.get("reason") or ""))
        self.query_one("#sync-rejected", Static).update(rejected)

    def action_sync_now(self) -> None:
        self._run("sync_now", None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        typed = self.query_one("#bundle-path", Input).value.strip()
        path = Path(typed).expanduser() if typed else self.station_app.service.home.root / "station-bundle.ssb"
        operation = {"sync-now": "sync_now", "bundle-export": "export_bundle", "bundle-import": "import_bundle"}
        self._run(operation[str(event.button.id)], path, self._audience())

    def _run(self, operation: str, path: Path | None, for_station: str | None = None) -> None:
        self.query_one("#sync-message", Static).update(t("working"))
        self._call_sync(operation, path, for_station)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-action")
    def _call_sync(self, operation: str, path: Path | None, for_station: str | None) -> None:
        try:
            summary = self._operate(operation, path, for_station)
        except SyncUnavailable:
            self.post_message(self.SyncFinished(False, t("sync_unavailable")))
            return
        except (StationError, OSError) as exc:
            self.post_message(self.SyncFinished(False, t("sync_failed", message=str(exc))))
            return
        self.post_message(self.SyncFinished(True, summary))

    def _operate(self, operation: str, path: Path | None, for_station: str | None) -> str:
        port = self.station_app.sync
        if operation == "sync_now":
            return sync_summary(port.sync_now())
        assert path is not None
        if operation == "export_bundle":
            return result_summary(operation, port.export_bundle(path, for_station))
        return result_summary(operation, port.import_bundle(path))

    def on_sync_screen_sync_finished(self, message: SyncFinished) -> None:
        self.query_one("#sync-message", Static).update(Text(message.text, style="green" if message.ok else "yellow"))
        self.station_app.refresh_sync_status()

    def action_back(self) -> None:
        self.dismiss()
