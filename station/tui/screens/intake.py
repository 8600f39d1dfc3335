"""Filing a case on a citizen's behalf: citizen, item, form, materials, confirm, save."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input, Static

from forms import ServiceItem
from station.errors import StationError
from station.ledger import display_case_no
from station.service import IntakeRequest

from ..i18n import t
from ..notice import blocks_filing, missing_materials, notice_text
from ..queries import CaseLine
from ..widgets.citizen_step import CitizenStep
from ..widgets.confirm_step import ConfirmStep
from ..widgets.form_step import FormStep
from ..widgets.item_step import ItemStep
from ..widgets.materials_step import MaterialsStep
from .base import StationScreen

__all__ = ["IntakeScreen", "IntakeDraft"]

_STEPS = ("citizen", "item", "form", "materials", "confirm")


@dataclass
class IntakeDraft:
    """What has been gathered so far; becomes an ``IntakeRequest`` at the end."""

    id_number: str = ""
    name: str = ""
    phone: str | None = None
    item: ServiceItem | None = None
    fields: dict[str, str] = field(default_factory=dict)
    received: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)

    def request(self) -> IntakeRequest:
        assert self.item is not None
        return IntakeRequest(item_code=self.item.code, applicant_id=self.id_number, applicant_name=self.name,
                             phone=self.phone, fields=dict(self.fields), received=list(self.received),
                             deferred=list(self.deferred), authorised=True)


class IntakeScreen(StationScreen):
    BINDINGS = [
        Binding("escape", "back", "back"),
        Binding("ctrl+n", "next", "next", priority=True),
        Binding("ctrl+s", "save", "save", priority=True),
    ]

    class IntakeFiled(Message):
        def __init__(self, result: dict[str, Any]) -> None:
            super().__init__()
            self.result = result

    class IntakeRefused(Message):
        def __init__(self, problems: list[str]) -> None:
            super().__init__()
            self.problems = problems

    class HistoryRead(Message):
        """What the station already holds for this citizen: the registered name, open cases of the item."""

        def __init__(self, id_number: str, item_code: str, registered_name: str | None,
                     open_cases: list[CaseLine]) -> None:
            super().__init__()
            self.id_number = id_number
            self.item_code = item_code
            self.registered_name = registered_name
            self.open_cases = open_cases

    def __init__(self) -> None:
        super().__init__()
        self.draft = IntakeDraft()
        self.step = "citizen"
        self.saving = False
        self.history: IntakeScreen.HistoryRead | None = None

    def compose_body(self) -> ComposeResult:
        service = self.station_app.service
        operator = self.station_app.operator
        yield Static(id="intake-steps")
        with ContentSwitcher(initial="step-citizen", id="intake-switcher"):
            citizen = CitizenStep(service.today(), service.store.search_citizens, service.store.citizen)
            citizen.id = "step-citizen"
            yield citizen
            item = ItemStep(service.catalogue, on_behalf_only=operator is not None and operator.role == "agent")
            item.id = "step-item"
            yield item
            confirm = ConfirmStep(id="step-confirm")
            yield confirm

    def on_mount(self) -> None:
        self._show_step("citizen")

    # -- moving between steps -------------------------------------------------------

    def _show_step(self, step: str) -> None:
        self.step = step
        self.query_one("#intake-switcher", ContentSwitcher).current = f"step-{step}"
        self.query_one("#intake-steps", Static).update(_steps_line(step))
        self.call_after_refresh(self._current_step().focus_first)
        self.refresh_bindings()  # ^s is offered on the confirm step only

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Saving is the last step's key, and the only key that files: ^s, shown on every step,
        did nothing, silently, before it; ^n, pressed once too often, filed the case."""
        if action == "save":
            return self.step == "confirm"
        if action == "next":
            return self.step != "confirm"
        return True

    def _current_step(self) -> Any:
        return self.query_one(f"#step-{self.step}", Widget)

    def action_next(self) -> None:
        if self.step != "confirm":  # ^s files the case (check_action)
            self._current_step().finish()

    def action_save(self) -> None:
        if self.step == "confirm":
            self._current_step().finish()

    def action_back(self) -> None:
        index = _STEPS.index(self.step)
        if index > 0:
            self._show_step(_STEPS[index - 1])
        elif self.has_unsaved():
            self.station_app.confirm_discard(self.dismiss)
        else:
            self.dismiss()

    def has_unsaved(self) -> bool:
        """Something typed or chosen for a case that is not saved (leaving asks first)."""
        search = set(self.query("#citizen-search Input"))  # a search alone is nothing to lose
        typed = [box.value.strip() for box in self.query(Input) if box not in search]
        return bool(self.draft.id_number or self.draft.item or any(typed))

    def on_citizen_step_citizen_chosen(self, message: CitizenStep.CitizenChosen) -> None:
        self.draft.id_number, self.draft.name, self.draft.phone = message.id_number, message.name, message.phone
        self._show_step("item")

    async def on_item_step_item_chosen(self, message: ItemStep.ItemChosen) -> None:
        service = self.station_app.service
        item = service.catalogue.get(message.code)
        if self.draft.item is None or self.draft.item.code != item.code:
            self.draft.item, self.draft.fields = item, {}
            await self._replace_item_steps(item)
        self.history = None
        self._read_history(self.draft.id_number, item.code)
        self._show_step("form")

    async def _replace_item_steps(self, item: ServiceItem) -> None:
        service = self.station_app.service
        switcher = self.query_one("#intake-switcher", ContentSwitcher)
        for old in self.query("#step-form, #step-materials"):
            await old.remove()
        form = FormStep(item, service.today(), village_name=_village_name(service))
        form.id = "step-form"
        materials = MaterialsStep(item, service.today(), service.calendar)
        materials.id = "step-materials"
        form.display = materials.display = False
        await switcher.mount(form, before="#step-confirm")
        await switcher.mount(materials, before="#step-confirm")

    def on_form_step_form_completed(self, message: FormStep.FormCompleted) -> None:
        self.draft.fields = message.values
        self._show_step("materials")

    def on_materials_step_materials_chosen(self, message: MaterialsStep.MaterialsChosen) -> None:
        from .notice import NoticeScreen

        draft, app = self.draft, self.station_app
        assert draft.item is not None
        draft.received, draft.deferred = message.received, message.deferred
        missing = missing_materials(draft.item, set(draft.received), set(draft.deferred))
        if blocks_filing(missing):
            text = notice_text(draft.item, draft.name, missing, app.service.station.name,
                               app.operator.name if app.operator else "", app.service.today())
            app.push_screen(NoticeScreen(text, f"notice-{draft.id_number[-4:]}-{draft.item.code}",
                                         message=t("notice_shown")))
            return
        confirm = self.query_one("#step-confirm", ConfirmStep)
        confirm.show_summary(t("confirm_summary", name=draft.name, id=draft.id_number, item=draft.item.name,
                               received=len(draft.received), deferred=len(draft.deferred)))
        confirm.show_warnings(self._warnings())
        self._show_step("confirm")

    # -- what the station already holds -------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="intake-history")
    def _read_history(self, id_number: str, item_code: str) -> None:
        app = self.station_app
        citizen = app.service.store.citizen(id_number)
        open_cases = app.queries.open_cases_of(id_number, item_code)
        self.post_message(self.HistoryRead(id_number, item_code, citizen["name"] if citizen else None, open_cases))

    def on_intake_screen_history_read(self, message: HistoryRead) -> None:
        draft = self.draft
        if draft.item is None or (message.id_number, message.item_code) != (draft.id_number, draft.item.code):
            return  # the citizen or the item has changed since
        self.history = message
        self.query_one("#step-confirm", ConfirmStep).show_warnings(self._warnings())
        if message.open_cases:
            self.notify(self._open_cases_warning(message.open_cases), severity="warning", timeout=10)

    def _warnings(self) -> list[str]:
        """Not reasons to refuse, but the agent must see them before filing."""
        history, name = self.history, self.draft.name
        if history is None:
            return self._age_band_warnings()
        warnings = []
        if history.registered_name is not None and history.registered_name != name:
            warnings.append(t("confirm_name_change", registered=history.registered_name, name=name))
        if history.open_cases:
            warnings.append(self._open_cases_warning(history.open_cases))
        return warnings + self._age_band_warnings()

    def _age_band_warnings(self) -> list[str]:
        from ..likely_mistakes import age_band_conflicts

        item = self.draft.item
        if item is None:
            return []
        labels = {spec.key: spec.label for spec in item.fields}
        return age_band_conflicts(self.draft.fields, labels, self.draft.id_number, self.station_app.service.today())

    def _open_cases_warning(self, open_cases: list[CaseLine]) -> str:
        assert self.draft.item is not None
        return t("open_case_exists", item=self.draft.item.name, cases="、".join(c.display_no for c in open_cases))

    # -- saving -------------------------------------------------------------------

    def on_confirm_step_confirmed(self, message: ConfirmStep.Confirmed) -> None:
        if self.saving:
            return
        self.saving = True
        self.query_one("#step-confirm", ConfirmStep).show_problems([t("saving")])
        self._file(self.draft.request())

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _file(self, request: IntakeRequest) -> None:
        app = self.station_app
        assert app.operator is not None
        try:
            result = app.service.intake(app.operator, request)
        except StationError as exc:
            self.post_message(self.IntakeRefused(exc.problems or [str(exc)]))
            return
        self.post_message(self.IntakeFiled(result))

    def on_intake_screen_intake_refused(self, message: IntakeRefused) -> None:
        self.saving = False
        self.query_one("#step-confirm", ConfirmStep).show_problems([t("cannot_file"), *message.problems])

    def on_intake_screen_intake_filed(self, message: IntakeFiled) -> None:
        from .receipt import ReceiptScreen

        case_no = message.result["case_no"]
        self.station_app.refresh_sync_status()
        self.app.switch_screen(ReceiptScreen(case_no, message=t("filed", case_no=display_case_no(case_no))))


def _village_name(service: Any) -> str | None:
    """光星村 of 光星村便民服务站: a village station's own village, for the form's examples."""
    station = service.station
    if station.level != "village":
        return None
    name = station.name
    return name[:name.index("村") + 1] if "村" in name else None


def _steps_line(current: str) -> Text:
    text = Text(" ")
    for step in _STEPS:
        text.append(f" {t('step_' + step)} ", style="bold reverse" if step == current else "dim")
    return text
