"""Intake step 3: the item's own form, generated from its fields, checked as typed."""
from __future__ import annotations

from datetime import date
from functools import partial

from textual import events, on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from forms import FieldSpec, ServiceItem, validate_field

from ..failures import ReportsFailures
from ..i18n import t
from .field_row import FieldRow

__all__ = ["FormStep"]

_BOOL_CHOICES = ("是", "否")


class FormStep(ReportsFailures, Widget):
    DEFAULT_CSS = """
    FormStep { height: 1fr; }
    FormStep #form-fields { height: 1fr; }
    FormStep #form-summary { height: auto; color: $error; }
    FormStep #form-help { height: auto; color: $text-muted; }
    """

    class FormCompleted(Message):
        def __init__(self, values: dict[str, str]) -> None:
            super().__init__()
            self.values = values

    def __init__(self, item: ServiceItem, today: date, values: dict[str, str] | None = None, *,
                 village_name: str | None = None) -> None:
        """``village_name``: this station's village (光星村), so examples name it and not another one."""
        super().__init__()
        self.item = item
        self.today = today
        self.values = values or {}
        self.village_name = village_name
        self.checked = False
        """Whether the operator has tried to go on (from then on the count of problems is shown)."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form-fields"):
            for spec in self.item.fields:
                yield self._row(spec)
        yield Static("", id="form-help")
        yield Static("", id="form-summary")

    def _row(self, spec: FieldSpec) -> FieldRow:
        choices = spec.choices or (_BOOL_CHOICES if spec.type == "bool" else ())
        # a dropdown's empty entry says "choose", never an example that reads like a real choice;
        # a help sentence goes on the help line below the form, the placeholder shows an example
        example = self._example(spec)
        hint = t("choose") if choices else (f"例：{example}" if example else "")
        return FieldRow(spec.key, spec.label, partial(validate_field, spec, today=self.today), required=spec.required,
                        value=self.values.get(spec.key, ""), placeholder=hint, choices=choices,
                        id=f"field-{spec.key}")

    def _example(self, spec: FieldSpec) -> str:
        """The catalogue's example; a village group is shown in this station's own village."""
        example = spec.example or ""
        if spec.key == "village_group" and self.village_name and example and "村" in example:
            return self.village_name + example[example.index("村") + 1:]
        return example

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        row = next((node for node in event.widget.ancestors if isinstance(node, FieldRow)), None)
        spec = next((s for s in self.item.fields if row is not None and s.key == row.key), None)
        self.query_one("#form-help", Static).update(spec.help if spec is not None and spec.help else "")

    def focus_first(self) -> None:
        rows = list(self.query(FieldRow))
        if rows:
            rows[0].focus_input()

    @on(FieldRow.Submitted)
    def _next_row(self, event: FieldRow.Submitted) -> None:
        event.stop()
        rows = list(self.query(FieldRow))
        index = rows.index(event.row)
        if index + 1 < len(rows):
            rows[index + 1].focus_input()
        else:
            self.finish()

    @on(FieldRow.Edited)
    def _edited(self, event: FieldRow.Edited) -> None:
        event.stop()
        if self.checked:  # once the count is shown, it follows each fix
            self._show_count(sum(1 for row in self.query(FieldRow) if row.problem()))

    def _show_count(self, bad: int) -> None:
        self.query_one("#form-summary", Static).update(t("fix_fields", n=bad) if bad else "")

    def finish(self) -> None:
        rows = list(self.query(FieldRow))
        bad = []
        for row in rows:
            problem = row.problem()
            row.show_problem(problem)
            if problem:
                bad.append(row)
        self.checked = True
        self._show_count(len(bad))
        if bad:
            bad[0].focus_input()
            bad[0].scroll_visible()
            return
        self.post_message(self.FormCompleted({row.key: row.value.strip() for row in rows if row.value.strip()}))
