"""Which actions this operator may take on a case here, and what each one asks for.

The ledger is the only judge: for every kind the operator's role allows, a candidate
event is built as if recorded now, and ``step_problem`` says whether it could happen.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from forms.jsonvalue import JsonObject
from station.actions import REASON_PROMPTS
from station.deadlines import supplement_due
from station.ledger import KINDS, CaseState, Event, kinds_for_role, step_problem
from station.service import Operator
from station.topology import Topology
from station.workdays import WorkCalendar

from .i18n import kind_label

__all__ = ["ActionChoice", "available_actions", "NEVER_OFFERED"]

NEVER_OFFERED = frozenset({"received", "attached", "extended", "suspended", "resumed"})
"""Kinds recorded by other paths: intake files ``received``, ``station attach`` attaches, and
the legal clock's kinds are offered by ``queue_actions``, which checks them with their days and dates."""


@dataclass(frozen=True)
class ActionChoice:
    kind: str
    label: str
    reason_prompt: str | None
    """The question to ask when the action must say why or what; None when it need not."""
    material_choices: tuple[tuple[str, str], ...]
    """(key, name) of the materials to pick from; empty when the action names none."""
    needs_level: bool


def available_actions(state: CaseState, operator: Operator, station: str, topology: Topology,
                      calendar: WorkCalendar, now: datetime) -> list[ActionChoice]:
    allowed = kinds_for_role(operator.role)
    choices = []
    for kind in KINDS:
        if kind in NEVER_OFFERED or kind not in allowed:
            continue
        event = _candidate(state, kind, operator, station, calendar, now)
        if step_problem(state, event, topology) is None:
            choices.append(_choice(state, kind))
    return choices


def _candidate(state: CaseState, kind: str, operator: Operator, station: str, calendar: WorkCalendar,
               now: datetime) -> Event:
    data: JsonObject = {}
    if kind == "rated":
        data["level"] = 5
    if kind == "voided":
        data["due"] = supplement_due(state, calendar).iso
    return Event(id="candidate", case=state.case_no, kind=kind, hlc=state.last_hlc, at=now.isoformat(timespec="seconds"),
                 station=station, actor=operator.id, role=operator.role, data=data)


def _choice(state: CaseState, kind: str) -> ActionChoice:
    if kind == "supplement_requested":
        materials = tuple((m["key"], m["name"]) for m in state.materials if m.get("status") != "received")
        materials = materials or tuple((m["key"], m["name"]) for m in state.materials)
    elif kind == "supplemented":
        owed = list(state.deferred) + [k for k in state.requested if k not in state.deferred]
        materials = tuple((key, state.material_name(key)) for key in owed)
    else:
        materials = ()
    prompt = REASON_PROMPTS.get(kind)
    return ActionChoice(kind, kind_label(kind), prompt, materials, kind == "rated")
