"""The top line of every screen: station, operator, and the sync state."""
from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from station.service import Operator

from ..failures import ReportsFailures
from ..i18n import role_label, t
from ..sync_port import SyncStatus

__all__ = ["SyncBar"]


class SyncBar(ReportsFailures, Static):
    DEFAULT_CSS = """
    SyncBar { height: 1; dock: top; background: $primary-background; color: $text; padding: 0 1; }
    """

    status: reactive[SyncStatus | None] = reactive(None)
    operator: reactive[Operator | None] = reactive(None)

    def __init__(self, station_name: str) -> None:
        super().__init__()
        self.station_name = station_name

    def render(self) -> Text:
        text = Text(self.station_name, style="bold")
        if self.operator is not None:
            text.append(f" │ {self.operator.name} {role_label(self.operator.role)}")
        text.append(" │ ")
        text.append_text(_sync_text(self.status))
        return text


def _sync_text(status: SyncStatus | None) -> Text:
    if status is None:
        return Text(t("loading"), style="dim")
    if status.connecting:
        state = Text(f"◌ {t('connecting')}", style="dim")
    elif status.online is None:
        state = Text(f"○ {t('sync_unknown')}", style="yellow")
    elif status.online:
        state = Text(f"● {t('online')}", style="green")
    else:
        state = Text(f"○ {t('offline')}", style="yellow")
    state.append(f" {t('waiting_events', n=status.pending)}")
    if status.rejected:
        state.append(f" {t('rejected_events', n=status.rejected)}", style="bold red")
    contact = t("last_contact", at=status.last_contact[5:16].replace("T", " ")) if status.last_contact \
        else t("never_contacted")
    state.append(f" {contact}", style="dim")
    return state
