"""What each kind of action needs from the operator, checked before it is recorded.

The ledger decides whether a step is allowed; this module turns the operator's input
(reason, materials, rating) into the event's ``data`` and lists every problem at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from forms import ServiceItem
from station.deadlines import supplement_due
from station.errors import BadInput
from station.ledger import (
    KIND_LABELS, KINDS, MAX_EXTENSION_REASON, CaseState, extension_limit_problems, pause_problem,
)
from station.workdays import WorkCalendar

__all__ = ["ActionInput", "action_data", "REASON_PROMPTS"]

REASON_PROMPTS = {
    "refused": "不予受理的理由",
    "denied": "不予批准的理由",
    "withdrawn": "撤回的原因",
    "called_back": "回访情况",
    "noted": "备注内容",
    "extended": "延期理由（经负责人批准）",
    "suspended": "暂停计时的法定环节",
}
"""Kinds whose event must say why or what, with the question put to the operator."""


@dataclass(frozen=True)
class ActionInput:
    kind: str
    reason: str = ""
    materials: tuple[str, ...] = ()
    level: int | None = None
    days: int | None = None
    """Working days of an extension (``extended``)."""
    until: str | None = None
    """Expected last day of a statutory pause (``suspended``), ISO."""


def action_data(state: CaseState, action: ActionInput, item: ServiceItem | None,
                calendar: WorkCalendar, today: date) -> dict[str, Any]:
    problems: list[str] = []
    if action.kind not in KINDS or action.kind == "received":
        raise BadInput(f"不认识的操作“{action.kind}”，可用：{', '.join(k for k in KINDS if k != 'received')}")
    data: dict[str, Any] = {"reason": action.reason.strip()} if action.reason.strip() else {}
    if action.kind in REASON_PROMPTS and not action.reason.strip():
        problems.append(f"“{KIND_LABELS[action.kind]}”需要填写{REASON_PROMPTS[action.kind]}（--reason）")
    if action.kind in ("called_back", "noted"):
        data["note"] = data.pop("reason", "")
    extra = _KIND_DATA.get(action.kind)
    if extra:
        data |= extra(state, action, item, calendar, today, problems)
    if problems:
        raise BadInput(*problems)
    return data


def _requested_materials(state: CaseState, action: ActionInput, item: ServiceItem | None,
                         calendar: WorkCalendar, today: date, problems: list[str]) -> dict[str, Any]:
    if not action.materials:
        problems.append("要求补正时，请列出所有需要补正的材料（--material），一次告知")
        return {}
    known = {m.key: m.name for m in item.materials} if item else {}
    known |= {m["key"]: m["name"] for m in state.materials}
    unknown = [k for k in action.materials if k not in known]
    if unknown:
        problems.append(f"材料代码不对：{'、'.join(unknown)}；可选：{'、'.join(known)}")
    return {"materials": [{"key": k, "name": known[k]} for k in action.materials if k in known]}


def _supplied_materials(state: CaseState, action: ActionInput, item: ServiceItem | None,
                        calendar: WorkCalendar, today: date, problems: list[str]) -> dict[str, Any]:
    owed = set(state.deferred) | set(state.requested)
    unknown = [k for k in action.materials if k not in owed]
    if unknown:
        listing = "、".join(f"{k}（{state.material_name(k)}）" for k in owed) or "无"
        problems.append(f"这些材料不在待补清单中：{'、'.join(unknown)}；待补：{listing}")
    return {"materials": list(action.materials)}


def _rating(state: CaseState, action: ActionInput, item: ServiceItem | None,
            calendar: WorkCalendar, today: date, problems: list[str]) -> dict[str, Any]:
    if action.level not in (1, 2, 3, 4, 5):
        problems.append("评价等级请填 1-5（5 非常满意，4 满意，3 基本满意，2 不满意，1 非常不满意）：--level")
        return {}
    data: dict[str, Any] = {"level": action.level}
    if action.reason.strip():
        data["comment"] = action.reason.strip()
    return data


def _void_due(state: CaseState, action: ActionInput, item: ServiceItem | None,
              calendar: WorkCalendar, today: date, problems: list[str]) -> dict[str, Any]:
    due = supplement_due(state, calendar)
    if not state.deferred:
        problems.append("该案件没有容缺材料，不能作废；如申请人不再办理，请用“撤回”")
    elif due.date is None:
        problems.append(f"容缺材料的补交期限无法确定（{due.note_zh}），暂不能作废")
    elif today <= due.date:
        problems.append(f"容缺材料补交期限为 {due.iso}，未到期前不能作废")
    return {"due": due.iso} if due.iso else {}


def _extension(state: CaseState, action: ActionInput, item: ServiceItem | None,
               calendar: WorkCalendar, today: date, problems: list[str]) -> dict[str, Any]:
    if action.days is None or not 1 <= action.days <= 365:
        problems.append(f"请用 --days 写明延期多少个工作日（1-365），收到 {action.days!r}")
    else:  # the ledger judges it again; asked here too so every problem is listed at once
        problems += extension_limit_problems(state, action.days)
    if len(action.reason.strip()) > MAX_EXTENSION_REASON:
        problems.append(f"延期理由最长 {MAX_EXTENSION_REASON} 字，现在 {len(action.reason.strip())} 字")
    return {"days": action.days} if action.days is not None else {}


def _suspension(state: CaseState, action: ActionInput, item: ServiceItem | None,
                calendar: WorkCalendar, today: date, problems: list[str]) -> dict[str, Any]:
    reason = action.reason.strip()
    wrong_step = pause_problem(state, reason) if reason else None
    if wrong_step:
        problems.append(f"{wrong_step}（--reason）")
    until = _until(action.until, today, problems)
    notice_days = int(state.item.get("public_notice_days") or 0)
    if until is None and reason == "公示" and notice_days:
        until = (today + timedelta(days=notice_days)).isoformat()  # the item's 公示 lasts that many days
    return {"until": until} if until else {}


def _until(text: str | None, today: date, problems: list[str]) -> str | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        problems.append(f"预计结束日期（--until）应写成 YYYY-MM-DD，收到“{text}”")
        return None
    if day < today:
        problems.append(f"预计结束日期 {day.isoformat()} 早于今天 {today.isoformat()}")
    return day.isoformat()


_KIND_DATA = {
    "extended": _extension,
    "suspended": _suspension,
    "supplement_requested": _requested_materials,
    "supplemented": _supplied_materials,
    "rated": _rating,
    "voided": _void_due,
}
