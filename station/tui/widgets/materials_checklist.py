"""The materials checklist: each material received, deferred (容缺, with its due day) or missing."""
from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from forms import MaterialSpec

from ..bindings import localize_bindings
from ..failures import ReportsFailures
from ..i18n import t

__all__ = ["MaterialsChecklist", "RECEIVED", "DEFERRED", "MISSING"]

RECEIVED, DEFERRED, MISSING = "received", "deferred", "missing"
_MARKS = {RECEIVED: ("✔", "green"), DEFERRED: ("◔", "yellow"), MISSING: ("✘", "red")}


class MaterialsChecklist(ReportsFailures, OptionList):
    BINDINGS = [
        Binding("space", "cycle", "material_received", show=False),
        Binding("r", "mark('received')", "material_received"),
        Binding("d", "mark('deferred')", "material_deferred"),
        Binding("m", "mark('missing')", "material_missing"),
    ]

    class MaterialsChanged(Message):
        pass

    def __init__(self, materials: tuple[MaterialSpec, ...], due_days: dict[str, str | None], *,
                 id: str | None = None) -> None:
        """``due_days``: for each deferrable material, the ISO day it would be due if deferred today."""
        self.materials = materials
        self.due_days = due_days
        self.statuses = {m.key: MISSING for m in materials}
        super().__init__(*[Option(self._prompt(m), id=m.key) for m in materials], id=id)
        localize_bindings(self)

    def _prompt(self, material: MaterialSpec) -> Text:
        status = self.statuses[material.key]
        mark, colour = _MARKS[status]
        text = Text(f"{mark} ", style=f"bold {colour}")
        text.append(f"{t('material_' + status)} ", style=colour)
        text.append(material.name)
        if not material.required:
            text.append(f" ({t('material_optional')})", style="dim")
        if status == DEFERRED and self.due_days.get(material.key):
            text.append(f"  {t('material_due', day=self.due_days[material.key])}", style="yellow")
        elif material.deferrable and status != DEFERRED:
            text.append(f"  {t('material_defer_days', days=material.defer_days)}", style="dim")
        return text

    def _allowed(self, material: MaterialSpec, status: str) -> bool:
        return status != DEFERRED or material.deferrable

    def set_status(self, key: str, status: str) -> bool:
        index = [m.key for m in self.materials].index(key)
        material = self.materials[index]
        if not self._allowed(material, status):
            self.app.bell()
            self.notify(t("not_deferrable", name=material.name), severity="warning")
            return False
        self.statuses[key] = status
        self.replace_option_prompt_at_index(index, self._prompt(material))
        self.post_message(self.MaterialsChanged())
        return True

    def action_mark(self, status: str) -> None:
        option = self.highlighted_option
        if option is not None and option.id and self.set_status(option.id, status):
            self.action_cursor_down()

    # The cursor stops at either end instead of going round: a key pressed once too often
    # (r/d on the last material, Up on the first) would silently change the other end's mark.
    def action_cursor_down(self) -> None:
        if self.highlighted is None or self.highlighted < self.option_count - 1:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.highlighted:
            super().action_cursor_up()

    def action_cycle(self) -> None:
        option = self.highlighted_option
        if option is None or not option.id:
            return
        material = self.materials[self.highlighted or 0]
        order = [s for s in (RECEIVED, DEFERRED, MISSING) if self._allowed(material, s)]
        current = self.statuses[option.id]
        self.set_status(option.id, order[(order.index(current) + 1) % len(order)])

    def keys_with(self, status: str) -> list[str]:
        return [key for key, value in self.statuses.items() if value == status]

