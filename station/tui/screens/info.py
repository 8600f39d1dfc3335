"""本站信息: the station's code, level, public key and sync address, whenever they are asked for.

The enrolment at the city hall and the help desk both need them long after ``station init``
printed them once; reading them needs the key file, so it happens in a thread worker.
"""
from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from station.info import StationInfo, enrol_command, station_info

from ..i18n import t
from .base import StationScreen

__all__ = ["InfoScreen", "info_lines"]


class InfoScreen(StationScreen):
    BINDINGS = [Binding("escape", "back", "back")]

    class InfoRead(Message):
        def __init__(self, info: StationInfo) -> None:
            super().__init__()
            self.info = info

    def compose_body(self) -> ComposeResult:
        yield Static(t("info_title"), id="document-title")
        with VerticalScroll(id="document-scroll"):
            yield Static(t("loading"), id="info-text")

    def on_mount(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _read(self) -> None:
        self.post_message(self.InfoRead(station_info(self.station_app.service)))

    def on_info_screen_info_read(self, message: InfoRead) -> None:
        self.query_one("#info-text", Static).update("\n".join(info_lines(message.info)))

    def action_back(self) -> None:
        self.app.pop_screen()


def info_lines(info: StationInfo) -> list[str]:
    source = "STATION_CITYHALL_URL" if info.hub_url_source == "env" else info.topology_file
    return [
        t("info_station", name=info.name, code=info.station),
        t("info_level", level=info.level_label),
        t("info_parent", parent=info.parent or t("none")),
        t("info_key"), f"  {info.public_key}",
        t("info_encryption_key"), f"  {info.encryption_key or t('info_no_encryption_key')}",
        t("info_hub", url=info.hub_url), t("info_hub_source", source=source),
        t("info_public_url", url=info.public_url),
        t("info_home", home=info.home),
        "", t("info_enrol"), f"  {enrol_command(info.station, info.public_key, info.encryption_key)}",
    ]
