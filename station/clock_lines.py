"""The legal clock of one case in plain lines, for ``station case`` and the app's case views.

Each line comes with how loud it should be: an overdue legal limit is louder than an
overdue promise (the law outranks the service's own promise), a near one is a warning.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["ClockLine", "clock_lines", "urgency_note"]

Loudness = Literal["plain", "warn", "alarm", "loudest"]


@dataclass(frozen=True)
class ClockLine:
    label: str
    text: str
    loudness: Loudness = "plain"


_WARNING_WORDS = {"overdue": "已逾期", "due_soon": "临近期限", "unknown": "", "ok": ""}


def clock_lines(view: dict[str, Any]) -> list[ClockLine]:
    """``view`` is :func:`station.views.case_view`'s dict."""
    lines = [_limit_line("承诺时限", view["deadline"], view.get("deadline_note_zh"), view.get("promised_warning"),
                         "alarm"),
             _limit_line("法定时限", view["legal_deadline"], view.get("legal_deadline_note_zh"),
                         view.get("legal_warning"), "loudest")]
    acceptance = view.get("acceptance")
    if view.get("deemed_accepted") and acceptance:
        lines.append(ClockLine("视为受理", f"{acceptance['reached_on']} 送达经办站，未在 5 个工作日内（{acceptance['answer_by']} 前）"
                                        f"受理、不予受理或一次性告知，视为自 {acceptance['reached_on']} 起受理", "alarm"))
    elif acceptance and acceptance.get("at_risk"):
        lines.append(ClockLine("受理提醒", f"已等 {acceptance['workdays_waited']} 个工作日，请于 {acceptance['answer_by']} 前"
                                        "受理、不予受理或一次性告知，否则视为受理", "warn"))
    if view.get("extension"):
        ext = view["extension"]
        lines.append(ClockLine("延期", f"{ext['days']} 个工作日（{ext['on']} 批准）：{ext['reason']}"))
    lines += [_pause_line(pause) for pause in view.get("pauses", []) if pause["kind"] == "statutory"]
    return lines


def _limit_line(label: str, deadline: str | None, note: str | None, warning: str | None,
                overdue_loudness: Loudness) -> ClockLine:
    if not deadline:
        return ClockLine(label, note or "期限未知")
    word = _WARNING_WORDS.get(warning or "", "")
    loudness: Loudness = overdue_loudness if warning == "overdue" else "warn" if warning == "due_soon" else "plain"
    if warning == "overdue" and label == "法定时限":
        word = "已超过法定时限"
    return ClockLine(label, f"{deadline}{'  ' + word if word else ''}", loudness)


def _pause_line(pause: dict[str, Any]) -> ClockLine:
    if pause["to"]:
        return ClockLine("暂停计时", f"{pause['reason']} {pause['from']} 至 {pause['to']}（不计 {pause['workdays']} 个工作日）")
    until = f"，预计 {pause['until']} 结束" if pause.get("until") else ""
    return ClockLine("暂停计时", f"{pause['label']}：{pause['from']} 起{until}", "warn")


def urgency_note(urgency: str) -> str:
    """The work queue's urgency in words."""
    return {"acceptance_overdue": "超过 5 日受理期限（视为受理）", "overdue": "已逾期", "due_soon": "2 个工作日内到期",
            "normal": ""}.get(urgency, urgency)
