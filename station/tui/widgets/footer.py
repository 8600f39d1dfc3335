"""The key hints at the bottom: whole hints only, the least needed left out when narrow.

Textual's footer cuts the last hint mid-word when the screen is too narrow for all of
them (``i 本站信`` at 60 columns). This one is compact (one space between hints) and
leaves out whole hints until the rest fit: first the command palette's (``^p`` still
opens it), then from the right, so a screen's own keys go last and the global keys
(``^q``, ``f9``, ``f10``) before them.

It draws the line Textual's compact footer draws, in the same colours, but as one widget:
Textual's is a container of one widget per hint, built again at each change of the bindings
(every focus change), which was a fifth of the app's start-up to the Today board. Here a
change of the bindings only repaints the line. A click on a hint presses its key, and the
hint under the mouse is highlighted with its tooltip, as on Textual's.
"""
from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from ..failures import ReportsFailures

__all__ = ["StationFooter", "Hint", "fitting_hints"]

TEXTUAL_HINTS = {"Dismiss menu": "收起列表"}
"""Hints of Textual's own widgets (an open dropdown's), said in the app's language."""


class Hint(NamedTuple):
    """One key hint: what Textual's footer makes a ``FooterKey`` of."""

    key: str
    key_display: str
    description: str
    enabled: bool
    tooltip: str
    palette: bool = False
    """The command palette's hint: at the right end, a bar before it."""

    @property
    def text(self) -> str:
        return f"{self.key_display} {self.description}" if self.description else self.key_display

    @property
    def cells(self) -> int:
        """Cells it takes: its text and one space after it (the palette's: a bar before it instead)."""
        return cell_len(self.text) + 1


class PlacedHint(NamedTuple):
    hint: Hint
    x: int
    """Its first cell in the footer's content (after the padding)."""
    width: int
    """Cells that answer the mouse: its text, and the palette's bar."""


class StationFooter(ReportsFailures, Widget):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer-key--key", "footer-key--description", "footer-key--bar", "footer-key--hover"}
    DEFAULT_CSS = """
    StationFooter {
        dock: bottom;
        height: 1;
        padding-left: 1;
        text-wrap: nowrap;
        color: $footer-foreground;
        background: $footer-background;
        & > .footer-key--key { color: $footer-key-foreground; background: $footer-key-background; text-style: bold; }
        & > .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .footer-key--bar { color: $foreground 20%; }
        & > .footer-key--hover { background: $block-hover-background; }
    }
    """
    """Textual's compact footer's colours; the padding starts the hints in the body's column."""

    def __init__(self) -> None:
        super().__init__()
        self._hovered: Hint | None = None
        self._placed_for: tuple[int, list[PlacedHint]] | None = None
        """The hints as placed for a width: read again when the bindings change (as Textual's footer
        composes again), not at every paint and mouse move."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if screen.app.app_focus:  # as Textual's: the hints stay as they were while the terminal is in the background
            self._placed_for = None
            self._hover(None)  # the hint under the mouse may be gone: found again at its next move
            self.refresh()

    @property
    def hints(self) -> list[Hint]:
        """What the footer shows now, left to right."""
        return [placed.hint for placed in self._placed()]

    def _placed(self) -> list[PlacedHint]:
        width = self.content_region.width
        if self._placed_for is None or self._placed_for[0] != width:
            self._placed_for = (width, self._place(width))
        return self._placed_for[1]

    def _place(self, width: int) -> list[PlacedHint]:
        x, placed = 0, []
        for hint in fitting_hints(self._all_hints(), width):
            if hint.palette:  # at the right end: its bar, its text
                placed.append(PlacedHint(hint, width - hint.cells - 1, hint.cells))
            else:
                placed.append(PlacedHint(hint, x, hint.cells - 1))
                x += hint.cells
        return placed

    def _all_hints(self) -> list[Hint]:
        """As Textual's footer: the shown bindings, one per action, then the command palette's."""
        app, active = self.app, self.screen.active_bindings
        by_action: dict[str, Hint] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in by_action:
                by_action[binding.action] = Hint(binding.key, app.get_key_display(binding),
                                                 TEXTUAL_HINTS.get(binding.description, binding.description),
                                                 enabled, tooltip)
        hints = list(by_action.values())
        palette = active.get(app.COMMAND_PALETTE_BINDING) if app.ENABLE_COMMAND_PALETTE else None
        if palette is not None:
            _node, binding, enabled, _tooltip = palette
            hints.append(Hint(binding.key, app.get_key_display(binding), binding.description, enabled,
                              binding.tooltip or binding.description, palette=True))
        return hints

    def render(self) -> Text:
        line = Text(end="")
        for placed in self._placed():
            line.truncate(placed.x, pad=True)  # the space after the hint before (which the palette's bar may take)
            if placed.hint.palette:
                line.append("▏", self._style("footer-key--bar", placed.hint))
            line.append(placed.hint.key_display, self._style("footer-key--key", placed.hint))
            if placed.hint.description:
                line.append(f" {placed.hint.description}", self._style("footer-key--description", placed.hint))
            if placed.hint.palette:
                line.append(" ")  # Textual's keeps a cell after it
        return line

    def _style(self, component: str, hint: Hint) -> Style:
        style = self.get_component_rich_style(component)
        if hint == self._hovered:
            style += Style(bgcolor=self.get_component_rich_style("footer-key--hover").bgcolor)
        return style if hint.enabled else style + Style(dim=True)

    def _hint_at(self, event: events.MouseEvent) -> Hint | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        return next((p.hint for p in self._placed() if p.x <= offset.x < p.x + p.width), None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        hint = self._hint_at(event)
        if hint is None:
            return
        if hint.enabled:
            self.app.simulate_key(hint.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover(self._hint_at(event))

    def on_leave(self, event: events.Leave) -> None:
        self._hover(None)

    def _hover(self, hint: Hint | None) -> None:
        if hint != self._hovered:
            self._hovered = hint
            self.tooltip = hint.tooltip if hint and hint.tooltip else None
            self.styles.pointer = "pointer" if hint else "default"
            self.refresh()


def fitting_hints(hints: list[Hint], width: int) -> list[Hint]:
    """``hints`` without the fewest of the least needed ones so the rest fit ``width``."""
    keys = [h for h in hints if not h.palette]
    palette = [h for h in hints if h.palette]
    while keys and sum(h.cells for h in keys + palette) > width:
        if palette:
            palette.clear()
        else:
            keys.pop()
    return keys + palette
