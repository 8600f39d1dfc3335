"""The plain data a receipt is drawn from; the caller fills and masks it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ReceiptData"]


@dataclass(frozen=True)
class ReceiptData:
    """Everything printed on a receipt, already masked and formatted by the caller."""

    case_no: str
    """The 25-character case number, no separators."""
    case_no_display: str
    """The case number grouped for people, e.g. ``420115102203-20261122-0007-5``."""
    item_name: str
    """The service item's name."""
    applicant_masked: str
    """Surname and ``*``, e.g. ``张*``."""
    id_masked: str
    """ID number with the middle hidden, e.g. ``4201**********123X``."""
    phone_masked: str | None
    """Phone number with the middle hidden, or None when not given."""
    agent_name: str
    """The agent (代办员) who took the case."""
    station_name: str
    """The station where the case was received."""
    received_at: str
    """Local date and time received, e.g. ``2026-11-22 10:31``."""
    materials_received: tuple[str, ...]
    """Names of the materials handed in."""
    materials_owed: tuple[tuple[str, str | None], ...]
    """Deferred materials (容缺): name and the ISO date they are due, or None."""
    deadline: str | None
    """The promised deadline as an ISO date, or None when unknown."""
    deadline_note: str | None
    """Chinese note saying why the deadline is unknown."""
    tracking_url: str
    """The citizen's tracking URL, already upper-case (see ``tracking_url()``)."""
    cityhall_name: str
    """The city's service centre, printed as the receipt's heading."""
