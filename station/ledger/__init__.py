"""The case ledger: events, statuses, transitions and the fold.

Pure: no I/O, no clock reads, no UI. Used by the station and the city hall alike.
"""
from __future__ import annotations

import sys
import types
from forms.lazy_names import lazy_getattr
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the type checker the names are there; at run time __getattr__ loads each one's module
    from .caseno import InvalidCaseNo, case_date, case_station, display_case_no, make_case_no, normalise_case_no
    from .contract import check_contract, parse_event
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

_MODULES = {
    "caseno": ("InvalidCaseNo", "case_date", "case_station", "display_case_no", "make_case_no", "normalise_case_no"),
    "contract": ("check_contract", "parse_event"),
    "events": ("CITIZEN", "SCHEMA_VERSION", "Event", "EventFormatError", "new_event_id"),
    "fold": ("CaseState", "apply", "fold", "step_problem"),
    "hlc": ("HybridClock", "format_hlc", "parse_hlc"),
    "rules": ("ATTRIBUTE_KINDS", "CLOCK_KINDS", "DECIDED_STATUSES", "KIND_LABELS", "KINDS", "MAX_EXTENSION_REASON",
              "OPEN_STATUSES", "ROLE_LABELS", "ROLES", "STATUS_LABELS", "STATUSES", "STATUTORY_PAUSES", "Verdict",
              "check", "extension_limit_problems", "kinds_for_role", "pause_problem"),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}


__getattr__ = lazy_getattr(__name__, globals(), _MODULES)
"""Each name loads its own module on first use: the labels and rules a command line needs come
without the fold, the event digests or the contract (msgspec), which load when used."""


class _Ledger(types.ModuleType):
    """``station.ledger.fold`` is the function, as the names above promise, also once the module
    of the same name was imported (the import system would set the package's attribute to it)."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _HOME and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Ledger
