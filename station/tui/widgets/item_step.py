"""Intake step 2: pick the service item by name, pinyin or code; its conditions are shown."""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from forms import Catalogue, ServiceItem

from ..failures import ReportsFailures
from ..i18n import t
from .field_row import FieldRow

__all__ = ["ItemStep"]

_LEVEL_LABELS = {"village": "村", "township": "镇", "county": "区", "city": "市"}


class ItemStep(ReportsFailures, Widget):
    DEFAULT_CSS = """
    ItemStep { height: 1fr; }
    ItemStep #item-list { height: 1fr; min-height: 5; border: none; }
    ItemStep #item-conditions { height: auto; max-height: 6; color: $text-muted; }
    """

    class ItemChosen(Message):
        def __init__(self, code: str) -> None:
            super().__init__()
            self.code = code

    def __init__(self, catalogue: Catalogue, on_behalf_only: bool) -> None:
        super().__init__()
        self.catalogue = catalogue
        self.on_behalf_only = on_behalf_only

    def compose(self) -> ComposeResult:
        yield FieldRow("item", t("item_search"), required=False, placeholder=t("item_search_hint"), id="item-search")
        yield OptionList(*self._options(""), id="item-list")
        yield Static("", id="item-conditions")

    def focus_first(self) -> None:
        self.query_one("#item-search", FieldRow).focus_input()

    def _items(self, query: str) -> list[ServiceItem]:
        items = self.catalogue.search(query) if query.strip() else self.catalogue.items()
        return [item for item in items if item.on_behalf or not self.on_behalf_only]

    def _options(self, query: str) -> list[Option]:
        return [Option(_item_label(item), id=item.code) for item in self._items(query)]

    @on(FieldRow.Edited, "#item-search")
    def _search_edited(self, event: FieldRow.Edited) -> None:
        event.stop()
        listing = self.query_one("#item-list", OptionList)
        listing.set_options(self._options(event.row.value))
        if listing.option_count:
            listing.highlighted = 0

    @on(FieldRow.Submitted, "#item-search")
    def _search_submitted(self, event: FieldRow.Submitted) -> None:
        event.stop()
        listing = self.query_one("#item-list", OptionList)
        if listing.option_count == 1:
            self.post_message(self.ItemChosen(str(listing.get_option_at_index(0).id)))
        elif listing.option_count:
            listing.focus()

    @on(OptionList.OptionHighlighted, "#item-list")
    def _item_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        item = self.catalogue.get(str(event.option_id))
        lines = [t("conditions")] + [f"・{c}" for c in item.conditions[:4]]
        self.query_one("#item-conditions", Static).update("\n".join(lines) if item.conditions else "")

    @on(OptionList.OptionSelected, "#item-list")
    def _item_picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.ItemChosen(str(event.option_id)))

    def finish(self) -> None:
        listing = self.query_one("#item-list", OptionList)
        if listing.highlighted_option is not None:
            self.post_message(self.ItemChosen(str(listing.highlighted_option.id)))


def _item_label(item: ServiceItem) -> Text:
    text = Text(f"{item.code[-6:]} ", style="cyan")
    text.append(item.name, style="bold")
    days = "即办" if item.instant else f"{item.promise_days}个工作日"
    text.append(f"  {_LEVEL_LABELS.get(item.level, item.level)}级办理 · {days}", style="dim")
    return text
