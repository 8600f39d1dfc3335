"""The key hints at the bottom: whole hints only, the least needed left out when narrow.

Textual's footer cuts the last hint mid-word when the screen is too narrow for all of
them (``i 本站信`` at 60 columns). This one is compact (one space between hints) and
leaves out whole hints until the rest fit: first the command palette's (``^p`` still
opens it), then from the right, so a screen's own keys go last and the global keys
(``^q``, ``f9``, ``f10``) before them.
"""
from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from ..failures import ReportsFailures

__all__ = ["StationFooter", "fitting_hints"]

PALETTE = "-command-palette"


class StationFooter(ReportsFailures, Footer):
    DEFAULT_CSS = "StationFooter { padding-left: 1; }"
    """Hints start in the body's column (screens pad their body by one)."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._width = 0
        self._recompose_due = False

    def bindings_changed(self, screen: Screen) -> None:
        """As Textual's footer, but one recompose for however many changes come before the next
        refresh: signing in changes the bindings four times in a row (each focus moves them)."""
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen and not self._recompose_due:
            self._recompose_due = True
            self.call_after_refresh(self._recompose_now)

    async def _recompose_now(self) -> None:
        self._recompose_due = False
        await self.recompose()

    def compose(self) -> ComposeResult:
        hints = [_in_chinese(hint) for hint in super().compose()]
        self._width = self.app.size.width  # fitted to it: the resize that follows the mount changes nothing
        yield from fitting_hints(hints, self._width - 1)

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width:
            self._width = event.size.width
            self.call_after_refresh(self.recompose)


TEXTUAL_HINTS = {"Dismiss menu": "收起列表"}
"""Hints of Textual's own widgets (an open dropdown's), said in the app's language."""


def _in_chinese(widget: Widget) -> Widget:
    if isinstance(widget, FooterKey) and widget.description in TEXTUAL_HINTS:
        widget.description = TEXTUAL_HINTS[widget.description]
    return widget


def hint_cells(widget: Widget) -> int:
    """Cells a compact hint takes: ``key description`` and one space after it
    (the palette's hint has a bar before it instead)."""
    if not isinstance(widget, FooterKey):
        return 0
    text = f"{widget.key_display} {widget.description}" if widget.description else widget.key_display
    return cell_len(text) + 1


def fitting_hints(hints: list[Widget], width: int) -> Iterable[Widget]:
    """``hints`` without the fewest of the least needed ones so the rest fit ``width``."""
    keys = [h for h in hints if not h.has_class(PALETTE)]
    palette = [h for h in hints if h.has_class(PALETTE)]
    while keys and sum(map(hint_cells, keys + palette)) > width:
        if palette:
            palette.clear()
        else:
            keys.pop()
    return keys + palette
