"""Human-readable text for the commands (the ``--json`` twin is the dict itself)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from station.ledger import display_case_no

if TYPE_CHECKING:  # what only a case's text needs loads with it
    from station.views import CaseView

__all__ = ["items_text", "case_text", "cases_text", "pad", "upload_text"]


def pad(text: str, width: int) -> str:
    """Pad to ``width`` terminal cells (a Chinese character takes two)."""
    from rich.cells import cell_len  # rich loads only for padded text, not for --json

    return text + " " * max(width - cell_len(text), 0)


def items_text(items: list[dict[str, Any]]) -> str:
    from station.info import LEVEL_LABELS

    lines = []
    for item in items:
        limit = "即办" if item["instant"] else f"{item['promise_days']}个工作日"
        level = LEVEL_LABELS.get(item["level"], item["level"])
        lines.append(f"{pad(item['code'], 24)} {pad(item['name'], 30)} {pad(level, 12)} {limit}")
    return "\n".join(lines)


def case_text(view: CaseView, labels: Mapping[str, str] | None = None) -> str:
    """``labels``: the form's field labels in its order; a key the form no longer has shows as itself."""
    from station.clock_lines import clock_lines
    from station.views import NOTICE_STATUS_LABELS, NOTICE_STEP_LABELS

    applicant = view.applicant
    labels = labels or {}
    lines = [
        f"案件编号  {view.case_no_display}",
        f"事项      {view.item_name}（{view.item} 第{view.item_version}版）",
        f"状态      {view.status_label}",
        f"经办站    {view.handler_name}",
        f"申请人    {applicant.name}  {applicant.id_number}  {applicant.phone or ''}",
        f"办结期限  {view.deadline or view.deadline_note_zh}"
        f"{'  已逾期' if view.clock.promised_warning == 'overdue' else ''}",
    ]
    lines += [f"{pad(line.label, 10)}{'⚠ ' if line.loudness == 'loudest' else ''}{line.text}"
              for line in clock_lines(view.clock)[1:]]  # the promised limit is the 办结期限 above
    if view.supplement_due:
        lines.append(f"容缺补交  {view.supplement_due}")
    order = {key: index for index, key in enumerate(labels)}
    answers = sorted(view.fields.items(), key=lambda pair: order.get(pair[0], len(order)))
    lines += [f"  {labels.get(k, k)}：{v}" for k, v in answers]
    lines.append("材料")
    lines += [f"  [{_MATERIAL_MARK[m.status]}] {m.name}" for m in view.materials]
    lines.append("经过")
    for entry in view.timeline:
        flag = f"  ⚠ 冲突：{entry.conflict}" if entry.conflict else ""
        lines.append(f"  {entry.at[:16].replace('T', ' ')}  {pad(entry.label, 8)} {entry.station_name}  {entry.actor}{flag}")
    if view.notices:
        lines.append("短信通知")
        for notice in view.notices:
            why = f"（{notice.detail}）" if notice.status in ("failed", "skipped") and notice.detail else ""
            lines.append(f"  {notice.at[:16].replace('T', ' ')}  {pad(NOTICE_STEP_LABELS.get(notice.step, notice.step), 12)} "
                         f"{NOTICE_STATUS_LABELS.get(notice.status, notice.status)}{why}")
    return "\n".join(lines)


_MATERIAL_MARK = {"received": "已收", "deferred": "容缺", "missing": "缺少", "supplied": "已补"}


def cases_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "没有符合条件的案件"
    return "\n".join(
        f"{display_case_no(row['case_no'])}  {pad(row['status_label'], 12)} {pad(row['item_name'], 28)} "
        f"{pad(row['applicant_name'], 10)} {row['deadline'] or '-'}{_clock_flags(row)}"
        for row in rows)


def _clock_flags(row: dict[str, Any]) -> str:
    """After the promised deadline: the legal one, and what the law says of the case now."""
    flags = [f"法定 {row['legal_deadline']}"] if row.get("legal_deadline") else []
    flags += [word for key, word in (("deemed_accepted", "视为受理"), ("legal_overdue", "超过法定时限"))
              if row.get(key)]
    if row["overdue"] and not row.get("legal_overdue"):
        flags.append("逾期")
    if row.get("paused"):
        flags.append(str(row["paused"]))
    return "".join(f"  {flag}" for flag in flags)


def upload_text(report: dict[str, Any]) -> str:
    """The attachment upload summary of ``station sync`` and ``station upload``, then each problem."""
    line = (f"附件：已上传 {report['uploaded']} 个（{report['bytes_sent'] / 1024:.0f} KB），"
            f"待上传 {report['pending']} 个，等待案件记录先上传的 {report['waiting_for_events']} 个")
    if report.get("out_of_time"):
        line += "；本次时间已到，其余的下次从断点继续上传"
    problems = report["errors"] + ([report["error"]] if report.get("error") else [])
    return "\n".join([line, *(f"  附件问题：{problem}" for problem in problems)])
