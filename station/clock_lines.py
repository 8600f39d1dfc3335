"""The legal clock of one case in plain lines, for ``station case`` and the app's case views.

Each line comes with how loud it should be: an overdue legal limit is louder than an
overdue promise (the law outranks the service's own promise), a near one is a warning.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from station.deadlines import ClockPause, LegalClock

__all__ = ["ClockLine", "clock_lines", "urgency_note"]

Loudness = Literal["plain", "warn", "alarm", "loudest"]


@dataclass(frozen=True)
class ClockLine:
    label: str
    text: str
    loudness: Loudness = "plain"


_WARNING_WORDS = {"overdue": "已逾期", "due_soon": "临近期限", "unknown": "", "ok": ""}


def clock_lines(clock: LegalClock) -> list[ClockLine]:
    """The promised limit, the legal one, then what the law says of the case now (视为受理, 延期, pauses)."""
    lines = [_limit_line("承诺时限", clock.promised.iso, clock.promised.note_zh, clock.promised_warning, "alarm"),
             _limit_line("法定时限", clock.legal.iso, clock.legal.note_zh, clock.legal_warning, "loudest")]
    acceptance = clock.acceptance
    if clock.deemed_accepted and acceptance:
        reached, answer_by = acceptance.reached_on.isoformat(), _iso(acceptance.answer_by)
        lines.append(ClockLine("视为受理", f"{reached} 送达经办站，未在 5 个工作日内（{answer_by} 前）"
                                        f"受理、不予受理或一次性告知，视为自 {reached} 起受理", "alarm"))
    elif acceptance and acceptance.at_risk:
        lines.append(ClockLine("受理提醒", f"已等 {acceptance.workdays_waited} 个工作日，请于 {_iso(acceptance.answer_by)} 前"
                                        "受理、不予受理或一次性告知，否则视为受理", "warn"))
    if clock.extension:
        ext = clock.extension
        lines.append(ClockLine("延期", f"{ext.days} 个工作日（{ext.on} 批准）：{ext.reason}"))
    lines += [_pause_line(pause) for pause in clock.pauses if pause.kind == "statutory"]
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


def _pause_line(pause: ClockPause) -> ClockLine:
    start = pause.start.isoformat()
    if pause.end:
        return ClockLine("暂停计时", f"{pause.reason} {start} 至 {pause.end.isoformat()}（不计 {pause.workdays} 个工作日）")
    until = f"，预计 {pause.expected_end.isoformat()} 结束" if pause.expected_end else ""
    return ClockLine("暂停计时", f"{pause.label}：{start} 起{until}", "warn")


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def urgency_note(urgency: str) -> str:
    """The work queue's urgency in words."""
    return {"acceptance_overdue": "超过 5 日受理期限（视为受理）", "overdue": "已逾期", "due_soon": "2 个工作日内到期",
            "normal": ""}.get(urgency, urgency)
