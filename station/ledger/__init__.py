"""The case ledger: events, statuses, transitions and the fold.

Pure: no I/O, no clock reads, no UI. Used by the station and the city hall alike.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .caseno import InvalidCaseNo, case_date, case_station, display_case_no, make_case_no, normalise_case_no
from .events import CITIZEN, SCHEMA_VERSION, Event, EventFormatError, new_event_id
from .fold import CaseState, apply, fold, step_problem
from .hlc import HybridClock, format_hlc, parse_hlc
from .rules import (
    ATTRIBUTE_KINDS, CLOCK_KINDS, DECIDED_STATUSES, KIND_LABELS, KINDS, MAX_EXTENSION_REASON, OPEN_STATUSES,
    ROLE_LABELS, ROLES, STATUS_LABELS, STATUSES, STATUTORY_PAUSES, Verdict, check, extension_limit_problems,
    kinds_for_role, pause_problem,
)

__all__ = [
    "InvalidCaseNo", "case_date", "case_station", "display_case_no", "make_case_no", "normalise_case_no",
    "CITIZEN", "SCHEMA_VERSION", "Event", "EventFormatError", "new_event_id", "check_contract", "parse_event",
    "CaseState", "apply", "fold", "step_problem", "HybridClock", "format_hlc", "parse_hlc",
    "ATTRIBUTE_KINDS", "DECIDED_STATUSES", "KIND_LABELS", "KINDS", "OPEN_STATUSES", "ROLE_LABELS", "ROLES",
    "STATUS_LABELS", "STATUSES", "Verdict", "check", "kinds_for_role",
    "CLOCK_KINDS", "MAX_EXTENSION_REASON", "STATUTORY_PAUSES", "extension_limit_problems", "pause_problem",
]

if TYPE_CHECKING:  # for the type checker the names are there; at run time __getattr__ loads them
    from .contract import check_contract, parse_event

_CONTRACT = ("check_contract", "parse_event")


def __getattr__(name: str) -> object:
    """The contract (msgspec) loads on first use: a command that only reads never needs it."""
    if name in _CONTRACT:
        from . import contract

        return getattr(contract, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
