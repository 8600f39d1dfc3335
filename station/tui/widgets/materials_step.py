"""Intake step 4: check the materials against the item's list."""
from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from forms import ServiceItem
from station.workdays import WorkCalendar

from ..failures import ReportsFailures
from ..i18n import t
from .materials_checklist import DEFERRED, RECEIVED, MaterialsChecklist

__all__ = ["MaterialsStep"]


class MaterialsStep(ReportsFailures, Widget):
    DEFAULT_CSS = """
    MaterialsStep { height: 1fr; }
    MaterialsStep MaterialsChecklist { height: 1fr; border: none; }
    """

    class MaterialsChosen(Message):
        def __init__(self, received: list[str], deferred: list[str]) -> None:
            super().__init__()
            self.received = received
            self.deferred = deferred

    def __init__(self, item: ServiceItem, today: date, calendar: WorkCalendar) -> None:
        super().__init__()
        self.item = item
        self.due_days = {m.key: calendar.deadline_for(today, int(m.defer_days or 0)).iso
                         for m in item.materials if m.deferrable}

    def compose(self) -> ComposeResult:
        yield Static(t("materials_hint"), classes="hint")
        yield MaterialsChecklist(self.item.materials, self.due_days, id="materials")

    def focus_first(self) -> None:
        checklist = self.query_one(MaterialsChecklist)
        checklist.focus()
        if checklist.option_count:
            checklist.highlighted = checklist.highlighted or 0

    def finish(self) -> None:
        checklist = self.query_one(MaterialsChecklist)
        self.post_message(self.MaterialsChosen(checklist.keys_with(RECEIVED), checklist.keys_with(DEFERRED)))
