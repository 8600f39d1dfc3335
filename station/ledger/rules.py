"""Statuses, event kinds and who may record what (DESIGN §3).

The identifiers are fixed; labels are for people. ``check`` is the single place that
decides whether an event may happen: the fold uses it to mark conflicts, the station
uses it before recording, the city hall before accepting.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from station.topology import Topology

    from .events import Event
    from .fold import CaseState

__all__ = [
    "STATUSES", "STATUS_LABELS", "OPEN_STATUSES", "DECIDED_STATUSES", "KINDS", "KIND_LABELS",
    "ROLES", "ROLE_LABELS", "ATTRIBUTE_KINDS", "Verdict", "check", "kinds_for_role",
]

STATUS_LABELS = {
    "received": "已收件",
    "submitted": "已报送",
    "needs_supplement": "待补正",
    "accepted": "已受理",
    "approved": "准予/已办结",
    "denied": "不予批准",
    "refused": "不予受理",
    "delivered": "已送达",
    "withdrawn": "已撤回",
    "voided": "已作废",
}
STATUSES = tuple(STATUS_LABELS)
OPEN_STATUSES = frozenset({"received", "submitted", "needs_supplement", "accepted"})
DECIDED_STATUSES = frozenset({"approved", "denied", "refused", "delivered"})

KIND_LABELS = {
    "received": "收件",
    "forwarded": "报送",
    "accepted": "受理",
    "refused": "不予受理",
    "supplement_requested": "要求补正",
    "supplemented": "补齐材料",
    "escalated": "上报",
    "approved": "准予",
    "denied": "不予批准",
    "delivered": "送达",
    "withdrawn": "撤回",
    "voided": "作废",
    "rated": "评价",
    "called_back": "回访",
    "noted": "备注",
    "attached": "附件",
}
KINDS = tuple(KIND_LABELS)
ATTRIBUTE_KINDS = frozenset({"rated", "called_back", "noted", "attached"})

ROLE_LABELS = {"agent": "代办员", "clerk": "窗口人员", "approver": "审批人", "admin": "管理员"}
ROLES = tuple(ROLE_LABELS)

_HANDLER_DECISIONS = {"accepted", "refused", "supplement_requested", "escalated", "approved", "denied"}
_ROLE_KINDS: dict[str, frozenset[str]] = {
    "agent": frozenset(KINDS) - _HANDLER_DECISIONS,
    "clerk": frozenset(KINDS) - {"approved", "denied"},
    "approver": frozenset(KINDS),
    "admin": frozenset(KINDS) - {"approved", "denied"},
}

# kind -> (statuses it may follow, status it leads to; None keeps the status)
_TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "forwarded": (frozenset({"received"}), "submitted"),
    "accepted": (frozenset({"submitted"}), "accepted"),
    "refused": (frozenset({"received", "submitted"}), "refused"),
    "supplement_requested": (frozenset({"submitted", "accepted"}), "needs_supplement"),
    "escalated": (frozenset({"accepted"}), "submitted"),
    "approved": (frozenset({"accepted"}), "approved"),
    "denied": (frozenset({"accepted"}), "denied"),
    "delivered": (frozenset({"approved", "denied"}), "delivered"),
    "withdrawn": (OPEN_STATUSES, "withdrawn"),
    "voided": (OPEN_STATUSES, "voided"),
}


@dataclass(frozen=True)
class Verdict:
    """Why an event may not happen. ``forbidden`` never changes with the case's state."""

    forbidden: bool
    reason: str


def kinds_for_role(role: str) -> frozenset[str]:
    return _ROLE_KINDS.get(role, frozenset())


def check(state: CaseState | None, event: Event, topology: Topology) -> Verdict | None:
    """``None`` when ``event`` is a valid next step of ``state``; else why not."""
    if event.kind == "received":
        if event.station != event.case[:12]:
            return Verdict(True, f"案件编号 {event.case} 不是本站（{event.station}）编的号，不能以本站名义收件")
        return None if state is None else Verdict(False, "案件已存在，不能重复收件")
    if state is None:
        return Verdict(False, "尚未收到该案件的收件记录")
    return _role_problem(state, event) or _relation_problem(state, event, topology) or _state_problem(state, event)


def _role_problem(state: CaseState, event: Event) -> Verdict | None:
    if event.actor == "citizen":
        return None
    if event.kind in ("approved", "denied") and event.role == "clerk" and state.item.get("instant"):
        return None
    if event.kind not in kinds_for_role(event.role):
        role = ROLE_LABELS.get(event.role, event.role or "未知角色")
        return Verdict(True, f"{role}无权办理“{KIND_LABELS[event.kind]}”")
    return None


def _relation_problem(state: CaseState, event: Event, topology: Topology) -> Verdict | None:
    station, kind = event.station, event.kind
    is_origin, is_handler = station == state.origin, station == state.handler
    if event.actor == "citizen":
        allowed = kind == "rated" and station == topology.cityhall.code
    elif kind == "forwarded":
        allowed = is_origin
    elif kind in _HANDLER_DECISIONS:
        allowed = is_handler
    elif kind == "voided":
        allowed = is_handler or (is_origin and state.status == "received")
    elif kind == "rated":
        allowed = is_origin
    elif kind in ("noted", "attached"):
        allowed = state.visible_to(station, topology)
    else:
        allowed = is_origin or is_handler
    if allowed:
        return None
    return Verdict(True, f"本站不是该案件的{'经办站' if kind in _HANDLER_DECISIONS else '收件站或经办站'}，不能办理“{KIND_LABELS[kind]}”")


def _state_problem(state: CaseState, event: Event) -> Verdict | None:
    kind, data = event.kind, event.data
    if kind == "supplemented":
        if state.status != "needs_supplement" and not state.deferred:
            return Verdict(False, "该案件没有待补的材料")
        return None
    if kind == "rated":
        level = data.get("level")
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
            return Verdict(False, f"评价等级应为 1-5，收到 {level!r}")
        if event.actor == "citizen" and state.status not in DECIDED_STATUSES:
            return Verdict(False, "办结后才能评价")
        if event.actor == "citizen" and any(r.get("by") == "citizen" for r in state.ratings):
            return Verdict(False, "每个办件只能评价一次")
        return None
    if kind in ATTRIBUTE_KINDS:
        return None
    allowed_from, _ = _TRANSITIONS[kind]
    if state.status not in allowed_from:
        return Verdict(False, f"案件当前为“{STATUS_LABELS[state.status]}”，不能办理“{KIND_LABELS[kind]}”")
    if kind == "voided" and not _deferred_past_due(state, data, event.day):
        return Verdict(False, "只有容缺材料逾期未补的案件才能作废")
    return None


def _deferred_past_due(state: CaseState, data: dict, day: str) -> bool:
    due = data.get("due")
    return bool(state.deferred) and isinstance(due, str) and day > due


def next_status(kind: str) -> str | None:
    return _TRANSITIONS[kind][1] if kind in _TRANSITIONS else None
