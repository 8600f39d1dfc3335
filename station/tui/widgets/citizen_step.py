"""Intake step 1: find the citizen (ID, name, pinyin initials) or type a new one."""
from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.binding import Binding
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from forms import InvalidValue, check_id_number, check_phone, mask_id_number

from ..failures import ReportsFailures
from ..i18n import t
from .field_row import FieldRow

__all__ = ["CitizenStep", "check_person_name"]


def check_person_name(raw: str) -> str:
    name = raw.strip()
    if len(name) > 50:
        raise InvalidValue("姓名最长 50 个字")
    return name


class CitizenStep(ReportsFailures, Widget):
    BINDINGS = [Binding("down", "to_results", show=False)]
    DEFAULT_CSS = """
    CitizenStep { height: auto; }
    CitizenStep #citizen-results { height: 6; border: none; margin: 0 0 0 24; }
    CitizenStep #citizen-kind { height: 1; margin: 1 0 0 0; color: $text-muted; }
    CitizenStep #citizen-kind.-warning { color: $warning; text-style: bold; }
    """

    class CitizenChosen(Message):
        def __init__(self, id_number: str, name: str, phone: str | None) -> None:
            super().__init__()
            self.id_number = id_number
            self.name = name
            self.phone = phone

    class CitizensFound(Message):
        def __init__(self, query: str, rows: list[dict[str, Any]]) -> None:
            super().__init__()
            self.query = query
            self.rows = rows

    class RegisterRead(Message):
        """What the citizen register holds for an ID number typed in full (None: nobody)."""

        def __init__(self, id_number: str, row: dict[str, Any] | None) -> None:
            super().__init__()
            self.id_number = id_number
            self.row = row

    def __init__(self, today: date, search: Any, lookup: Any) -> None:
        """``search(query) -> rows`` and ``lookup(id_number) -> row | None`` run in thread workers."""
        super().__init__()
        self.today = today
        self.search = search
        self.lookup = lookup
        self._rows: dict[str, dict[str, Any]] = {}
        self._registered: dict[str, Any] | None = None
        """The register's record of the ID number in the fields, once read."""
        self._filled: dict[str, str] = {}
        """What the register filled in, by row id: taken back when the ID number changes to another person."""
        self._kind_note = t("new_citizen")

    def compose(self) -> ComposeResult:
        yield FieldRow("search", t("citizen_search"), required=False, placeholder=t("citizen_search_hint"),
                       id="citizen-search")
        yield CitizenResults(id="citizen-results")
        yield Static(t("new_citizen"), id="citizen-kind")
        yield FieldRow("id_number", t("id_number"), lambda raw: check_id_number(raw, today=self.today),
                       id="citizen-id")
        yield FieldRow("name", t("name"), check_person_name, id="citizen-name")
        yield FieldRow("phone", t("phone"), check_phone, required=False, id="citizen-phone")

    def focus_first(self) -> None:
        self.query_one("#citizen-search", FieldRow).focus_input()

    @on(FieldRow.Edited, "#citizen-search")
    def _search_edited(self, event: FieldRow.Edited) -> None:
        event.stop()
        self._search(event.row.value.strip())

    @work(thread=True, exclusive=True, exit_on_error=False, group="citizen-search")
    def _search(self, query: str) -> None:
        rows = self.search(query) if query else []
        self.post_message(self.CitizensFound(query, rows))

    def on_citizen_step_citizens_found(self, message: CitizensFound) -> None:
        message.stop()
        if message.query != self.query_one("#citizen-search", FieldRow).value.strip():
            return  # a newer search replaced this one
        self._rows = {row["id_number"]: row for row in message.rows}
        results = self.query_one("#citizen-results", OptionList)
        results.set_options(Option(_citizen_label(row), id=row["id_number"]) for row in message.rows)
        if message.rows:
            results.highlighted = 0

    @on(FieldRow.Submitted, "#citizen-search")
    def _search_submitted(self, event: FieldRow.Submitted) -> None:
        """Enter with people found takes the highlighted one at once (it took two Enters)."""
        event.stop()
        results = self.query_one("#citizen-results", OptionList)
        if results.option_count and results.highlighted is not None:
            self._pick(results.get_option_at_index(results.highlighted).id)
        else:
            self._fill_from_query(event.row.value.strip())

    def action_to_results(self) -> None:
        """Down in the search box goes into the people found, on the first of them."""
        results = self.query_one("#citizen-results", OptionList)
        search = self.query_one("#citizen-search", FieldRow).query_one(Input)
        if not (search.has_focus and results.option_count):
            return
        results.focus()

    def _fill_from_query(self, query: str) -> None:
        """Nobody found: what was typed becomes the new citizen's ID or name."""
        target = "#citizen-id" if query[:1].isdigit() else "#citizen-name"
        if query:
            self.query_one(target, FieldRow).set_value(query)
        self.query_one("#citizen-name" if target == "#citizen-id" else "#citizen-id", FieldRow).focus_input()

    @on(OptionList.OptionSelected, "#citizen-results")
    def _citizen_picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option_id)

    def _pick(self, id_number: str | None) -> None:
        row = self._rows.get(id_number or "")
        if row is None:
            return
        self._take_registered(row, t("returning_citizen"))
        self.query_one("#citizen-id", FieldRow).set_value(row["id_number"])
        self.query_one("#citizen-phone", FieldRow).focus_input()

    def _take_registered(self, row: dict[str, Any], note: str) -> None:
        """Fill in the details exactly as registered (a rare character in the name included)."""
        self._registered, self._kind_note = row, note
        self._filled = {"#citizen-name": row["name"]}
        self.query_one("#citizen-name", FieldRow).set_value(row["name"])
        if row.get("phone"):
            self._filled["#citizen-phone"] = row["phone"]
            self.query_one("#citizen-phone", FieldRow).set_value(row["phone"])
        self._show_kind()

    def _take_back_filled(self) -> None:
        """Another ID number now: the previous person's name and phone must not stay on this one.

        What the operator typed over them stays (it was meant for this citizen)."""
        for row_id, filled in self._filled.items():
            row = self.query_one(row_id, FieldRow)
            if row.value.strip() == filled:
                row.clear()
        self._filled = {}

    def _show_kind(self) -> None:
        """New or returning citizen; a warning when the name differs from the registered one."""
        registered = self._registered["name"] if self._registered else None
        differs = registered is not None and self.query_one("#citizen-name", FieldRow).value.strip() != registered
        kind = self.query_one("#citizen-kind", Static)
        kind.update(t("registered_name_differs", name=registered) if differs else self._kind_note)
        kind.set_class(differs, "-warning")

    def _typed_id_number(self) -> str | None:
        try:
            return check_id_number(self.query_one("#citizen-id", FieldRow).value, today=self.today)
        except InvalidValue:
            return None

    @on(FieldRow.Edited, "#citizen-id")
    def _id_edited(self, event: FieldRow.Edited) -> None:
        event.stop()
        id_number = self._typed_id_number()
        if self._registered is not None and self._registered["id_number"] != id_number:
            self._registered, self._kind_note = None, t("new_citizen")
            self._take_back_filled()
            self._show_kind()
        if id_number is not None and self._registered is None:
            self._read_register(id_number)

    @work(thread=True, exclusive=True, exit_on_error=False, group="citizen-register")
    def _read_register(self, id_number: str) -> None:
        self.post_message(self.RegisterRead(id_number, self.lookup(id_number)))

    def on_citizen_step_register_read(self, message: RegisterRead) -> None:
        message.stop()
        if message.row is None or message.id_number != self._typed_id_number():
            return  # nobody registered, or the ID number has changed since
        self._take_registered(message.row, t("citizen_registered", name=message.row["name"]))

    @on(FieldRow.Edited, "#citizen-name")
    def _name_edited(self, event: FieldRow.Edited) -> None:
        event.stop()
        self._show_kind()

    @on(FieldRow.Submitted, "#citizen-id")
    def _id_submitted(self, event: FieldRow.Submitted) -> None:
        event.stop()
        self.query_one("#citizen-name", FieldRow).focus_input()

    @on(FieldRow.Submitted, "#citizen-name")
    def _name_submitted(self, event: FieldRow.Submitted) -> None:
        event.stop()
        self.query_one("#citizen-phone", FieldRow).focus_input()

    @on(FieldRow.Submitted, "#citizen-phone")
    def _phone_submitted(self, event: FieldRow.Submitted) -> None:
        event.stop()
        self.finish()

    def finish(self) -> None:
        rows = [self.query_one(f"#citizen-{key}", FieldRow) for key in ("id", "name", "phone")]
        problems = [(row, row.problem()) for row in rows]
        for row, problem in problems:
            row.show_problem(problem)
        bad = [row for row, problem in problems if problem]
        if bad:
            bad[0].focus_input()
            return
        id_row, name_row, phone_row = rows
        self.post_message(self.CitizenChosen(check_id_number(id_row.value, today=self.today),
                                             name_row.value.strip(), phone_row.value.strip() or None))


class CitizenResults(ReportsFailures, OptionList):
    """The people found; out of the Tab order while there are none, so typing is never swallowed."""

    def allow_focus(self) -> bool:
        return self.option_count > 0


def _citizen_label(row: dict[str, Any]) -> Text:
    text = Text(row["name"], style="bold")
    text.append(f"  {mask_id_number(row['id_number'])}")
    return text
