"""Statuses, event kinds and who may record what (DESIGN §3).

The identifiers are fixed; labels are for people. ``check`` is the single place that
decides whether an event may happen: the fold uses it to mark conflicts, the station
uses it before recording, the city hall before accepting.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from forms.statutory import STATUTORY_PAUSES
from station.topology import LEVEL_LABELS, LEVELS

if TYPE_CHECKING:
    from station.topology import Topology

    from .events import Event, EventData
    from .fold import CaseState

__all__ = [
    "STATUSES", "STATUS_LABELS", "OPEN_STATUSES", "DECIDED_STATUSES", "KINDS", "KIND_LABELS",
    "ROLES", "ROLE_LABELS", "ATTRIBUTE_KINDS", "CLOCK_KINDS", "STATUTORY_PAUSES", "MAX_EXTENSION_REASON",
    "Verdict", "check", "kinds_for_role", "extension_limit_problems", "pause_problem",
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
    "extended": "延期办理",
    "suspended": "暂停计时",
    "resumed": "恢复计时",
}
KINDS = tuple(KIND_LABELS)
CLOCK_KINDS = frozenset({"extended", "suspended", "resumed"})
"""The legal clock (Licensing Law Art. 42, 45): the handler stretches or stops it; the status stays."""
ATTRIBUTE_KINDS = frozenset({"rated", "called_back", "noted", "attached"}) | CLOCK_KINDS
MAX_EXTENSION_REASON = 500

ROLE_LABELS = {"agent": "代办员", "clerk": "窗口人员", "approver": "审批人", "admin": "管理员"}
ROLES = tuple(ROLE_LABELS)

_HANDLER_DECISIONS = {"accepted", "refused", "supplement_requested", "escalated", "approved", "denied"} | CLOCK_KINDS
_APPROVER_ONLY = {"approved", "denied", "extended"}
"""An extension needs the approval of the office's head (Art. 42): the approver records it."""
_ROLE_KINDS: dict[str, frozenset[str]] = {
    "agent": frozenset(KINDS) - _HANDLER_DECISIONS,
    "clerk": frozenset(KINDS) - _APPROVER_ONLY,
    "approver": frozenset(KINDS),
    "admin": frozenset(KINDS) - _APPROVER_ONLY,
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


class Verdict(NamedTuple):
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
        if is_handler and _below_item_level(state, station, topology):
            return Verdict(True, f"本站级别低于该事项的办理级别（{LEVEL_LABELS.get(str(state.item.get('level')), '')}），"
                                 f"不能办理“{KIND_LABELS[kind]}”：请报送上级")
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


def _below_item_level(state: CaseState, station: str, topology: Topology) -> bool:
    """A case's origin is its handler until forwarded; it decides only an item of its own level or below."""
    level = state.item.get("level")
    if station not in topology or level not in LEVELS:
        return False
    return LEVELS.index(topology.get(station).level) < LEVELS.index(str(level))


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
    if kind in CLOCK_KINDS:
        return _clock_problem(state, event)
    if kind in ATTRIBUTE_KINDS:
        return None
    allowed_from, _ = _TRANSITIONS[kind]
    if state.status not in allowed_from:
        return Verdict(False, f"案件当前为“{STATUS_LABELS[state.status]}”，不能办理“{KIND_LABELS[kind]}”")
    if kind == "voided" and not _deferred_past_due(state, data, event.day):
        return Verdict(False, "只有容缺材料逾期未补的案件才能作废")
    return None


def _deferred_past_due(state: CaseState, data: EventData, day: str) -> bool:
    due = data.get("due")
    return bool(state.deferred) and isinstance(due, str) and day > due


def _clock_problem(state: CaseState, event: Event) -> Verdict | None:
    """Extensions and statutory pauses move a running clock: only after acceptance, while open."""
    if state.status not in ("accepted", "needs_supplement") or state.accepted_on is None:
        return Verdict(False, f"案件当前为“{STATUS_LABELS[state.status]}”，受理后才能{KIND_LABELS[event.kind]}")
    if event.kind == "extended":
        return _extension_problem(state, event.data)
    if event.kind == "suspended":
        return _suspension_problem(state, event.data, event.day)
    if not state.suspended:
        return Verdict(False, "该案件没有暂停计时，无需恢复")
    return None


def _extension_problem(state: CaseState, data: EventData) -> Verdict | None:
    days, reason = data.get("days"), data.get("reason")
    problems = []
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
        problems.append(f"延期天数应为 1-365 个工作日，收到 {days!r}")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_EXTENSION_REASON:
        problems.append(f"延期须写明理由（最长 {MAX_EXTENSION_REASON} 字）")
    if state.extension is not None:
        problems.append(f"该案件已于 {state.extension['on']} 延期 {state.extension['days']} 个工作日，只能延期一次")
    if not problems and isinstance(days, int):
        problems += extension_limit_problems(state, days)
    return Verdict(False, "；".join(problems)) if problems else None


def extension_limit_problems(state: CaseState, days: int) -> list[str]:
    """The extended promise may not pass the legal limit plus the extension the law allows."""
    promise, legal = int(state.item.get("promise_days") or 0), int(state.item.get("legal_days") or 0)
    allowed = int(state.item.get("max_extension_days") or 0)
    ceiling = (legal or promise) + allowed
    if promise + days <= ceiling:
        return []
    if legal:
        return [f"延期 {days} 个工作日后共 {promise + days} 个工作日，超过法定时限 {legal} 个工作日"
                f"加法定可延长的 {allowed} 个工作日；最多可延期 {max(ceiling - promise, 0)} 个工作日"]
    return [f"该事项没有法定时限，最多可延期 {allowed} 个工作日" if allowed else "该事项不允许延期"]


def _suspension_problem(state: CaseState, data: EventData, day: str) -> Verdict | None:
    reason, until = data.get("reason"), data.get("until")
    problems = []
    if state.suspended:
        problems.append(f"该案件已于 {state.suspensions[-1]['since']} 起{state.suspensions[-1]['reason']}，请先恢复计时")
    problems += [p for p in [pause_problem(state, reason)] if p]
    if until is not None and not _iso_day_on_or_after(until, day):
        problems.append(f"预计结束日期应为不早于今天的日期（YYYY-MM-DD），收到 {until!r}")
    return Verdict(False, "；".join(problems)) if problems else None


def pause_problem(state: CaseState, reason: object) -> str | None:
    """Why ``reason`` is not a statutory pause this case's item has; None when it is."""
    allowed = tuple(state.item.get("pauses", STATUTORY_PAUSES))
    if reason not in STATUTORY_PAUSES:
        return f"暂停计时的理由应为法定环节之一：{'、'.join(STATUTORY_PAUSES)}；收到 {reason!r}"
    if reason not in allowed:
        return f"该事项没有“{reason}”环节；可暂停计时的环节：{'、'.join(allowed) or '无'}"
    return None


def _iso_day_on_or_after(value: object, day: str) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        return date.fromisoformat(value) >= date.fromisoformat(day)
    except ValueError:
        return False


def next_status(kind: str) -> str | None:
    return _TRANSITIONS[kind][1] if kind in _TRANSITIONS else None
