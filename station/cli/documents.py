"""Commands for supervision: print (official documents), report (figures) and watch (the daily digest)."""
from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from station.errors import BadInput, StationError
from station.receipts import NoCJKFont

from .context import Context, emit

__all__ = ["register"]


def register(commands: argparse._SubParsersAction) -> None:
    from station.documents.titles import DOCUMENT_TITLES  # no drawing code here: it loads only for print

    printing = commands.add_parser("print", help="打印文书：回执、受理通知书、不予受理通知书、一次性告知书、容缺受理承诺书")
    printing.add_argument("case_no", help="案件编号")
    printing.add_argument("document", choices=list(DOCUMENT_TITLES),
                          help="；".join(f"{k} {v}" for k, v in DOCUMENT_TITLES.items()))
    printing.add_argument("--pdf", type=Path, help="写入 PDF 文件")
    printing.add_argument("--escpos", metavar="TARGET",
                          help="热敏打印机：文件或设备路径（如 /dev/usb/lp0），或 tcp://主机:端口")
    printing.add_argument("--width", type=int, choices=(58, 80), default=58, help="纸宽（毫米），默认 58")
    printing.set_defaults(handler=cmd_print)

    report = commands.add_parser("report", help="本站统计：收件、受理、办结、按期、容缺、满意率、差评回访")
    report.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="起始日（默认本月 1 日）")
    report.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="截止日（默认今天）")
    report.add_argument("--xlsx", type=Path, help="导出 Excel 文件")
    report.add_argument("--csv", type=Path, help="导出 CSV 文件（统计指标）")
    report.add_argument("--fix-days", type=int, default=5, help="差评整改时限（工作日），默认 5")
    report.set_defaults(handler=cmd_report)

    watch = commands.add_parser("watch", help="今日提醒：临期和逾期、容缺逾期、久未受理、差评未回访")
    watch.add_argument("--warn-days", type=int, default=2, help="距期限不超过几个工作日提醒，默认 2")
    watch.add_argument("--wait-days", type=int, default=3, help="收件或报送后几个工作日未受理即提醒，默认 3")
    watch.add_argument("--fix-days", type=int, default=5, help="差评整改时限（工作日），默认 5")
    watch.set_defaults(handler=cmd_watch)


# -- print ---------------------------------------------------------------------------


def cmd_print(ctx: Context) -> None:
    from station.documents import (
        PAPER_WIDTHS, case_document_facts, compose, document_text, escpos_bytes, render_pdf, send_escpos,
    )

    args = ctx.args
    document = compose(args.document, case_document_facts(ctx.service, args.case_no))
    result: dict[str, Any] = {"case_no": document.case_no, "document": document.kind, "title": document.title,
                              "tracking_url": document.tracking_url}
    if args.pdf:
        try:
            result["pdf"] = str(render_pdf(document, document.kind, args.pdf))
        except NoCJKFont as exc:
            raise StationError(NoCJKFont.message_zh, str(exc)) from exc
    if args.escpos:
        data = escpos_bytes(document, PAPER_WIDTHS[args.width])
        result |= {"escpos": send_escpos(data, args.escpos), "escpos_bytes": len(data), "width_mm": args.width}
    written = [f"已写入 {result['pdf']}" if "pdf" in result else "",
               f"已发送到打印机 {result['escpos']}（{result['escpos_bytes']} 字节）" if "escpos" in result else ""]
    text = document_text(document)
    emit(ctx, result | {"text": text}, "\n".join(w for w in written if w) or text)


# -- report --------------------------------------------------------------------------


def _period(ctx: Context) -> Any:
    from station.reports import Period

    today = ctx.service.today()
    problems, days = [], {}
    for name, flag, default in (("start", "--from", today.replace(day=1)), ("end", "--to", today)):
        text = getattr(ctx.args, name)
        try:
            days[name] = date.fromisoformat(text) if text else default
        except ValueError:
            problems.append(f"{flag} 的日期“{text}”不对，请写成 YYYY-MM-DD，例如 2026-11-01")
    if not problems and days["end"] < days["start"]:
        problems.append(f"截止日 {days['end']} 早于起始日 {days['start']}")
    if problems:
        raise BadInput(*problems)
    return Period(days["start"], days["end"])


def cmd_report(ctx: Context) -> None:
    from station.reports import FIGURE_LABELS, report_json, station_report, write_csv, write_xlsx

    args, service = ctx.args, ctx.service
    if args.fix_days < 0:
        raise BadInput(f"--fix-days 应为 0 或更多个工作日，收到 {args.fix_days}")
    report = station_report(service.case_states(), service.calendar, _period(ctx), service.station.code,
                            service.station.name, fix_workdays=args.fix_days)
    result = report_json(report)
    if args.xlsx:
        write_xlsx(report, args.xlsx)
        result["xlsx"] = str(args.xlsx)
    if args.csv:
        write_csv(report, args.csv)
        result["csv"] = str(args.csv)
    lines = [f"{report.station_name}  {result['from']} 至 {result['to']}"]
    lines += [f"  {label}：{_figure_text(key, report.figures[key])}" for key, label in FIGURE_LABELS.items()]
    lines += [f"已写入 {result[k]}" for k in ("xlsx", "csv") if k in result]
    emit(ctx, result, "\n".join(lines))


def _figure_text(key: str, value: int | float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1%}" if key.endswith("_rate") else str(value)


# -- watch ---------------------------------------------------------------------------

_SECTION_TITLES = {
    "acceptance_past": "超过 5 个工作日未受理（已视为受理）", "acceptance_at_risk": "5 日受理期限将到",
    "deadlines_past": "已逾期", "deadlines_near": "临近期限", "deadlines_unknown": "期限无法计算",
    "deferred_past_due": "容缺材料逾期未补（请核实后作废，并记录原因）", "waiting_acceptance": "久未受理",
    "follow_ups_open": "差评待回访",
}


def cmd_watch(ctx: Context) -> None:
    from station.supervision import WatchPolicy, watch

    args, service = ctx.args, ctx.service
    negative = [f"{flag} 应为 0 或更多个工作日，收到 {value}" for flag, value in
                (("--warn-days", args.warn_days), ("--wait-days", args.wait_days), ("--fix-days", args.fix_days))
                if value < 0]
    if negative:
        raise BadInput(*negative)
    policy = WatchPolicy(args.warn_days, args.wait_days, args.fix_days)
    digest = watch(service.case_states(), service.calendar, service.today(), service.station.code, policy)
    payload = digest.as_dict()
    emit(ctx, payload, _digest_text(payload))


def _digest_text(payload: dict[str, Any]) -> str:
    lines = [f"{payload['day']} 今日提醒"]
    for section, title in _SECTION_TITLES.items():
        entries = payload[section]
        if entries:
            lines.append(f"{title}（{len(entries)}）")
            lines += [_entry_text(section, entry) for entry in entries]
    return "\n".join(lines) if len(lines) > 1 else f"{payload['day']} 没有需要提醒的案件"


def _entry_text(section: str, entry: dict[str, Any]) -> str:
    mine = "" if entry.get("can_act", True) else "  （由经办站办理）"
    if section == "follow_ups_open":
        overdue = "（已超期）" if entry["state"] == "overdue" else ""
        return (f"  {entry['case_no']}  {entry['item_name']}  评价 {entry['level']}  {entry['rated_on']}  "
                f"整改期限 {entry['fix_by'] or '未知'}{overdue}{mine}")
    days = {"deadlines_past": "逾期 {} 个工作日", "deadlines_near": "剩 {} 个工作日",
            "deferred_past_due": "逾期 {} 个工作日", "waiting_acceptance": "已等 {} 个工作日"}.get(section, "{}")
    count = days.format(entry["workdays"]) if entry["workdays"] is not None else entry["note"]
    if section.startswith("acceptance_") or (section == "deadlines_past" and entry["note"]):
        count = entry["note"] if section.startswith("acceptance_") else f"{count}；{entry['note']}"
    return f"  {entry['case_no']}  {entry['item_name']}  {entry['applicant_name']}  {entry['date'] or ''}  {count}{mine}"
