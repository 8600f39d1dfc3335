"""The Today board as one keyboard list: four headed sections of cases."""
from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..bindings import localize_bindings
from ..failures import ReportsFailures
from ..i18n import t
from ..queries import BoardSection, CaseLine, TodayBoard

__all__ = ["BoardList"]

_SECTIONS = (
    ("waiting", "section_waiting"),
    ("deadlines", "section_deadlines"),
    ("deferred", "section_deferred"),
    ("decisions", "section_decisions"),
)


class BoardList(ReportsFailures, OptionList):
    BINDINGS = [Binding("enter", "select", "open")]
    """Textual's own Enter, said on the bottom line: a list that opens what it shows says so."""

    class CaseChosen(Message):
        def __init__(self, case_no: str) -> None:
            super().__init__()
            self.case_no = case_no

    def __init__(self, *content: str, id: str | None = None) -> None:
        super().__init__(*content, id=id)
        localize_bindings(self)

    _laid_out_width: int | None = None
    """The width the last Resize reported: the options drawn since were drawn at it."""

    def _on_resize(self, event: events.Resize) -> None:  # type: ignore[override]  # Textual passes the event to a handler that takes it
        """Textual's list draws every option again after any Resize, also after the first one,
        which reports the size they were first drawn at: the board was drawn twice as the home
        screen came up. Only a new width needs them drawn again."""
        laid_out, self._laid_out_width = self._laid_out_width, event.size.width
        if laid_out in (None, event.size.width):
            event.prevent_default()  # the lines drawn still fit: Textual's handler would drop them

    def show(self, board: TodayBoard) -> None:
        highlighted = self.highlighted
        self.clear_options()
        for name, title_key in _SECTIONS:
            section: BoardSection = getattr(board, name)
            self.add_options(_section_options(name, t(title_key), section, board.day))
        if highlighted is not None and highlighted < self.option_count and \
                not self.get_option_at_index(highlighted).disabled:
            self.highlighted = highlighted
        else:
            enabled = [i for i, option in enumerate(self.options) if not option.disabled]
            self.highlighted = enabled[0] if enabled else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id:
            self.post_message(self.CaseChosen(event.option_id.split(":", 1)[1]))


def _section_options(name: str, title: str, section: BoardSection, today: str) -> list[Option]:
    count = f"{section.total}+" if section.total >= 1000 else str(section.total)
    options = [Option(Text(f"{title}（{count}）", style="bold"), disabled=True)]
    if not section.lines:
        options.append(Option(Text(f"  {t('nothing')}", style="dim"), disabled=True))
    for line in section.lines:
        options.append(Option(_line_text(line, name, today), id=f"{name}:{line.case_no}"))
    if section.total > len(section.lines):
        options.append(Option(Text(f"  {t('more')}", style="dim"), disabled=True))
    return options


def _fit(text: str, cells: int) -> str:
    """Cut ``text`` to ``cells`` terminal cells (CJK and 𠮷 take two) and pad it."""
    out, used = "", 0
    for char in text:
        width = cell_len(char)
        if used + width > cells:
            break
        out, used = out + char, used + width
    return out + " " * (cells - used)


def _line_text(line: CaseLine, section: str, today: str) -> Text:
    text = Text("  ")
    # the one grouped form of a case number (DESIGN §3), as on the receipt and the case screen
    text.append(line.display_no, style="cyan")
    text.append(" " + _fit(line.applicant_name, 8) + " " + _fit(line.item_name, 14) + " ")
    text.append(_fit(line.status_label, 10), style="bold red" if line.clock and line.clock.deemed_accepted else "")
    text.append_text(_due_text(line, section, today))
    if line.conflicts:
        text.append(" ⚠", style="bold red")
    return text


def _due_text(line: CaseLine, section: str, today: str) -> Text:
    day = line.supplement_due if section == "deferred" else line.shown_deadline
    if not day:
        return Text("")
    if section != "deferred" and line.clock and line.clock.legal_overdue:
        return Text(t("past_legal", day=day[5:]), style="bold reverse red")  # the law outranks the promise
    label = t("owed_by", day=day[5:]) if section == "deferred" else t("due_on", day=day[5:])
    return Text(label, style="bold red" if day < today else "yellow")
