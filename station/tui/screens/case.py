"""One case: timeline, materials, deadline, conflicts, and the actions this operator may take."""
from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from station.actions import ActionInput
from station.errors import StationError
from station.ledger import display_case_no
from station.views import CaseView

from ..queue_actions import QueueChoices, queue_choices
from ..case_render import case_conflicts, case_fields, case_materials, case_summary, case_timeline
from ..i18n import kind_label, t
from .ask_action import ask_action
from .base import StationScreen

__all__ = ["CaseScreen"]


class CaseScreen(StationScreen):
    BINDINGS = [
        Binding("escape", "back", "back"),
        Binding("a", "focus_actions", "act"),
        Binding("p", "receipt", "receipt_title"),
        Binding("f5", "reload", "refresh"),
        Binding("f6", "sync", "sync"),
    ]

    class CaseLoaded(Message):
        def __init__(self, view: CaseView, labels: dict[str, str], choices: QueueChoices | None) -> None:
            super().__init__()
            self.view = view
            self.labels = labels
            """The form's field labels, in its order, of the item version the case was filed under."""
            self.choices = choices
            """What this operator may do now, the legal clock's kinds included; None when signed out."""

    class CaseFailed(Message):
        def __init__(self, problems: list[str]) -> None:
            super().__init__()
            self.problems = problems

    class ActionRefused(Message):
        def __init__(self, problems: list[str]) -> None:
            super().__init__()
            self.problems = problems

    class ActionRecorded(Message):
        def __init__(self, kind: str) -> None:
            super().__init__()
            self.kind = kind

    def __init__(self, case_no: str) -> None:
        super().__init__()
        self.case_no = case_no
        self.choices: QueueChoices | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(t("case_title", case_no=display_case_no(self.case_no)), id="case-title")
        with Horizontal(id="case-body"):
            with VerticalScroll(id="case-details"):
                yield Static(t("loading"), id="case-summary")
                yield Static("", id="case-fields")
                yield Static("", id="case-conflicts")
                yield Static("", id="case-materials")
                yield Static("", id="case-timeline")
            yield OptionList(id="case-actions")

    def on_mount(self) -> None:
        self.query_one("#case-actions", OptionList).border_title = t("actions")
        self.action_reload()

    def action_reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="case")
    def _load(self) -> None:
        app = self.station_app
        service = app.service
        try:
            state = service.case(self.case_no)
        except StationError as exc:
            self.post_message(self.CaseFailed(exc.problems or [str(exc)]))
            return
        view = service.case_view(state.case_no)
        choices = queue_choices(state, app.operator, service.station.code, service.topology,
                                service.calendar, service.now()) if app.operator else None
        self.post_message(self.CaseLoaded(view, service.field_labels(view), choices))

    def on_case_screen_case_loaded(self, message: CaseLoaded) -> None:
        view = message.view
        self.query_one("#case-summary", Static).update(case_summary(view))
        self.query_one("#case-fields", Static).update(case_fields(view.fields, message.labels))
        conflicts = case_conflicts(view)
        self.query_one("#case-conflicts", Static).update(conflicts or "")
        self.query_one("#case-conflicts").display = conflicts is not None
        self.query_one("#case-materials", Static).update(case_materials(view))
        self.query_one("#case-timeline", Static).update(case_timeline(view))
        self._show_actions(message.choices)

    @property
    def _menu(self) -> list[tuple[str, str]]:
        return self.choices.menu() if self.choices else []

    def _show_actions(self, choices: QueueChoices | None) -> None:
        self.choices = choices
        listing = self.query_one("#case-actions", OptionList)
        if self._menu:
            listing.set_options(Option(label, id=kind) for kind, label in self._menu)
            listing.highlighted = 0
            listing.focus()
        else:
            listing.set_options([Option(t("no_actions"), disabled=True)])
            self.query_one("#case-details").focus()

    def on_case_screen_case_failed(self, message: CaseFailed) -> None:
        self.query_one("#case-summary", Static).update("\n".join(message.problems))
        self._show_actions(None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.choices is not None and event.option_id in dict(self._menu):
            # cancelled: the next `a` Enter must not reopen the action just turned down
            ask_action(self.app, self.choices, str(event.option_id), self._record, self._highlight_first_action)

    @work(thread=True, exclusive=True, exit_on_error=False, group="act")
    def _record(self, action: ActionInput) -> None:
        app = self.station_app
        assert app.operator is not None
        try:
            app.service.act(app.operator, self.case_no, action.kind, reason=action.reason or None,
                            materials=list(action.materials), level=action.level, days=action.days,
                            until=action.until)
        except StationError as exc:
            self.post_message(self.ActionRefused(exc.problems or [str(exc)]))
            return
        self.post_message(self.ActionRecorded(action.kind))

    def on_case_screen_action_recorded(self, message: ActionRecorded) -> None:
        self.notify(t("recorded", label=kind_label(message.kind)))
        self.station_app.refresh_sync_status()
        self.action_reload()

    def on_case_screen_action_refused(self, message: ActionRefused) -> None:
        self.notify("\n".join(message.problems), severity="error", timeout=10)
        self.action_reload()

    def action_focus_actions(self) -> None:
        """`a` always lands on the first (the usual) action, never on the one chosen last time."""
        self._highlight_first_action()
        self.query_one("#case-actions", OptionList).focus()

    def _highlight_first_action(self) -> None:
        listing = self.query_one("#case-actions", OptionList)
        if self._menu:
            listing.highlighted = 0

    def action_receipt(self) -> None:
        from .receipt import ReceiptScreen

        self.app.push_screen(ReceiptScreen(self.case_no))

    def events_arrived(self) -> None:
        """A background sync brought changes (a decision, a supplement request): show them."""
        self.action_reload()

    def action_sync(self) -> None:
        """f6: the sync screen (sync now, bundles) from here too, not only from Today."""
        self.station_app.open_sync()

    def action_back(self) -> None:
        self.dismiss()
