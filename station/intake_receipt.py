"""The receipt of a case as it was handed over at intake, however often it is printed again.

A receipt records what the station took in and what it still owed on that day, with
the promise made then: a reprint weeks later must say the same, not what the case has
become since (materials brought, a decision). So it is drawn from the case folded up to
its ``received`` event alone, never from today's state.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from station.errors import NotFound
from station.ledger import fold
from station.receipts import ReceiptData
from station.views import case_view, receipt_data

if TYPE_CHECKING:
    from station.service import StationService

__all__ = ["intake_receipt"]


def intake_receipt(service: StationService, case_no: str) -> ReceiptData:
    """Raises ``NotFound`` where this station did not take the case in (it holds no QR token)."""
    state = service.case(case_no)
    url = service.tracking_url(state.case_no)
    if not url:
        raise NotFound("回执由收件站打印：本站没有该案件的查询码")
    intake = next(e for e in service.store.case_events(state.case_no) if e.kind == "received")
    at_intake = fold([intake], service.topology)
    assert at_intake is not None  # a received event always opens a case
    view = case_view(at_intake, service.topology, service.calendar, intake.day, url)
    agent = service.store.agent(intake.actor)
    return receipt_data(view, int(state.item.get("promise_days") or 0), agent["name"] if agent else intake.actor,
                        service.topology.cityhall.name, instant=bool(state.item.get("instant")))
