"""What an official document says about a case, gathered once from the station's records.

The documents are handed to the applicant in person, so they name the applicant in full
(the receipt, which may be left lying about, stays masked as DESIGN §6 asks).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from forms import UnknownItem
from forms.jsonvalue import JsonValue
from station.receipts import ReceiptData
from station.workdays import WorkCalendar

if TYPE_CHECKING:
    from station.service import StationService
    from station.views import CaseView

__all__ = ["DocumentFacts", "facts_from_view", "case_document_facts"]


@dataclass(frozen=True)
class DocumentFacts:
    receipt: ReceiptData
    """The receipt's data: case number, item, masked applicant, tracking URL, deadline."""
    applicant_name: str
    item_basis: str
    promise_days: int
    instant: bool
    status: str
    origin_name: str
    handler_name: str
    received_on: str
    accepted_on: str | None
    decided_on: str | None
    refusal_reason: str
    outstanding: tuple[tuple[str, str | None], ...]
    """Every material still owed, once: asked for in a notice (no due date) or deferred (due date)."""
    promised: tuple[tuple[str, str | None], ...]
    """Materials deferred at intake (容缺) and the day each is due."""
    notice_on: str | None
    """Day of the latest request for materials, if any."""
    issued_on: str
    handed_over: ReceiptData | None = None
    """The receipt as given at intake, for printing the receipt again; None: ``receipt`` itself."""

    @property
    def case_no(self) -> str:
        return self.receipt.case_no

    @property
    def tracking_url(self) -> str:
        return self.receipt.tracking_url


def facts_from_view(view: CaseView, receipt: ReceiptData, *, basis: str, promise_days: int, instant: bool,
                    calendar: WorkCalendar, issued_on: date) -> DocumentFacts:
    timeline = [e for e in view.timeline if not e.conflict]
    return DocumentFacts(
        receipt=receipt, applicant_name=view.applicant.name, item_basis=basis,
        promise_days=promise_days, instant=instant, status=view.status,
        origin_name=view.origin_name, handler_name=view.handler_name, received_on=_text(view.received_on),
        accepted_on=view.accepted_on, decided_on=view.decided_on,
        refusal_reason=next((str(e.data.get("reason", "")) for e in reversed(timeline) if e.kind == "refused"), ""),
        outstanding=_outstanding(view), promised=_promised(view, calendar),
        notice_on=next((e.at[:10] for e in reversed(timeline) if e.kind == "supplement_requested"), None),
        issued_on=issued_on.isoformat(),
    )


def _text(value: str | None) -> str:
    return value or ""


def _outstanding(view: CaseView) -> tuple[tuple[str, str | None], ...]:
    deferred = {m.name for m in view.materials if m.status == "deferred"}
    names = dict.fromkeys(view.outstanding_materials)
    return tuple((name, view.supplement_due if name in deferred else None) for name in names)


def _promised(view: CaseView, calendar: WorkCalendar) -> tuple[tuple[str, str | None], ...]:
    intake = view.timeline[0].data.get("materials") if view.timeline else None
    received = date.fromisoformat(_text(view.received_on))
    checklist = [m for m in intake if isinstance(m, dict)] if isinstance(intake, list) else []
    return tuple((str(m.get("name", "")), calendar.deadline_for(received, _days(m.get("defer_days"))).iso)
                 for m in checklist if m.get("status") == "deferred")


def _days(value: JsonValue | None) -> int:
    return value if isinstance(value, int) else 0


def case_document_facts(service: StationService, case_no: str) -> DocumentFacts:
    """The facts of one case as this station sees it; only the receiving station holds the QR token."""
    state = service.case(case_no)
    receipt = service.receipt(case_no, paper="文书")
    view = service.case_view(case_no)
    promise_days = int(state.item.get("promise_days") or 0)
    facts = facts_from_view(view, receipt, basis=_basis(service, state.item), promise_days=promise_days,
                            instant=bool(state.item.get("instant")),
                            calendar=service.calendar, issued_on=service.today())
    # the other documents speak of the case today; a receipt says what was handed over, whenever printed
    return replace(facts, handed_over=service.handed_over_receipt(case_no))


def _basis(service: StationService, item: dict[str, Any]) -> str:
    try:
        return service.catalogue.get(str(item.get("code")), version=item.get("version")).basis
    except UnknownItem:  # an item this catalogue lacks still prints, without its basis
        return ""
