"""Commands that need no city hall: init, agent, items, intake, case, cases, act, receipt."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from station.errors import BadInput
from station.ledger import KIND_LABELS, KINDS, ROLE_LABELS, ROLES, STATUS_LABELS, STATUSES, display_case_no

from .context import Context, emit
from .text import case_text, cases_text, items_text

if TYPE_CHECKING:
    from station.service import StationService
    from station.views import CaseView

__all__ = ["register", "run_tui"]


def register(commands: argparse._SubParsersAction) -> None:
    init = commands.add_parser("init", help="初始化本站：数据库、密钥、站点拓扑")
    init.add_argument("--station", required=True, help="本站 12 位区划代码")
    init.add_argument("--config", type=Path, help="站点拓扑文件 stations.toml")
    init.set_defaults(handler=cmd_init)

    commands.add_parser("info", help="本站信息：代码、层级、公钥、同步地址（登记到市中心时用）") \
        .set_defaults(handler=cmd_info)

    agent = commands.add_parser("agent", help="操作员").add_subparsers(dest="agent_command", required=True)
    add = agent.add_parser("add", help="添加操作员（密码取自 STATION_PIN）")
    add.add_argument("--id", required=True, help="工号（如 A01）")
    add.add_argument("--name", required=True, help="姓名")
    add.add_argument("--role", required=True, choices=ROLES,
                     help="角色：agent 代办员、clerk 窗口人员、approver 审批人、admin 管理员")
    add.set_defaults(handler=cmd_agent_add)

    commands.add_parser("items", help="事项目录").set_defaults(handler=cmd_items)
    commands.add_parser("tui", help="终端界面").set_defaults(handler=run_tui)

    intake = commands.add_parser("intake", help="代为收件")
    intake.add_argument("--agent", required=True, help="经办操作员工号（密码取自 STATION_PIN）")
    intake.add_argument("--item", required=True, help="事项编码（station items 可查）")
    intake.add_argument("--applicant-id", required=True, help="申请人身份证号")
    intake.add_argument("--applicant-name", required=True, help="申请人姓名")
    intake.add_argument("--phone", help="申请人手机号")
    intake.add_argument("--no-sms", action="store_true", help="申请人不愿接收办件短信")
    intake.add_argument("--field", action="append", default=[], metavar="K=V", help="表单字段，可多次给出")
    intake.add_argument("--received", action="append", default=[], metavar="KEY", help="已收材料的编码，可多次给出")
    intake.add_argument("--deferred", action="append", default=[], metavar="KEY",
                        help="容缺（后补）材料的编码，可多次给出")
    intake.set_defaults(handler=cmd_intake)

    case = commands.add_parser("case", help="查看一个案件")
    case.add_argument("case_no", help="案件编号（带不带分隔符都可以）")
    case.set_defaults(handler=cmd_case)

    cases = commands.add_parser("cases", help="案件列表")
    cases.add_argument("--status", choices=STATUSES, help="只列出这个状态的案件")
    cases.add_argument("--overdue", action="store_true", help="只列出已超期的案件")
    cases.add_argument("--limit", type=int, default=200, help="最多列出多少件（默认 200）")
    cases.set_defaults(handler=cmd_cases)

    act = commands.add_parser("act", help="办理：记录一个事件")
    act.add_argument("case_no", help="案件编号")
    act.add_argument("kind", choices=[k for k in KINDS if k not in ("received", "attached")],
                     help="事件种类，如 forwarded 报送、accepted 受理、noted 备注")
    act.add_argument("--agent", required=True, help="经办操作员工号（密码取自 STATION_PIN）")
    act.add_argument("--reason", help="理由或说明（不予受理、补正、备注等）")
    act.add_argument("--material", action="append", default=[], help="要求补正或已补交的材料编码，可多次给出")
    act.add_argument("--level", type=int, help="评价等级 1-5（rated 时用）")
    act.add_argument("--days", type=int, help="延期办理（extended）的工作日数")
    act.add_argument("--until", metavar="YYYY-MM-DD", help="暂停计时（suspended）的预计结束日期")
    act.set_defaults(handler=cmd_act)

    receipt = commands.add_parser("receipt", help="回执")
    receipt.add_argument("case_no", help="案件编号")
    receipt.add_argument("--png", type=Path, help="另存为 PNG 图片")
    receipt.add_argument("--pdf", type=Path, help="另存为 PDF")
    receipt.add_argument("--text", action="store_true", help="另存文件时也在终端显示回执")
    receipt.set_defaults(handler=cmd_receipt)


def run_tui(ctx: Context) -> None:
    from station.tui.collector import pause_collection

    pause_collection()  # until the sign-in screen is drawn (station/tui/collector.py)
    from station.tui.app import run  # Textual loads only for the app, never for the commands

    run(ctx.home)
    ctx.close()
    leave_now()


def leave_now() -> NoReturn:
    """Back to the shell at once after the app closed its store.

    The interpreter's own teardown of Textual's modules takes longer than the 0.3 s a quit
    may take, and it would wait for nothing that matters: the store is closed, every commit
    is on disk (``synchronous=FULL``), and a sync round still waiting on a dead link has
    nothing uncommitted worth keeping (sync/loop.py). Logs and standard streams are flushed first.
    """
    import logging

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def cmd_init(ctx: Context) -> None:
    from station.info import LEVEL_LABELS, enrol_command

    from station.service import init_station

    config = ctx.args.config or _default_topology_file()
    result = init_station(ctx.home, ctx.args.station, config)
    level = LEVEL_LABELS.get(result["level"], result["level"])
    enroll = enrol_command(result["station"], result["public_key"], result["encryption_key"])
    emit(ctx, {**result, "enroll": enroll},
         f"已初始化 {result['name']}（{result['station']}，{level}）\n公钥：{result['public_key']}\n"
         f"加密公钥：{result['encryption_key']}\n"
         f"在市政务服务中心登记本站：\n  {enroll}\n"
         "以后随时可用 station info 再看公钥和同步地址\n"
         f"恢复密钥（只显示这一次，请抄下交乡镇保管；打开备份要用它）：{result['recovery_key']}")


def cmd_info(ctx: Context) -> None:
    from station.info import enrol_command, station_info

    info = station_info(ctx.service)
    source = "环境变量 STATION_CITYHALL_URL" if info.hub_url_source == "env" else info.topology_file
    enroll = enrol_command(info.station, info.public_key, info.encryption_key)
    lines = [f"站点：{info.name}（{info.station}）", f"层级：{info.level_label}",
             f"上级：{info.parent or '无'}", f"公钥：{info.public_key}",
             f"加密公钥：{info.encryption_key or '尚未生成（解锁本站数据一次后生成，如运行 station sync）'}",
             f"同步地址：{info.hub_url}（来自 {source}；改地址后请重新打开终端界面）",
             f"查询网址：{info.public_url}", f"数据目录：{info.home}",
             f"在市政务服务中心登记本站：\n  {enroll}"]
    emit(ctx, {**info.to_dict(), "enroll": enroll}, "\n".join(lines))


def _default_topology_file() -> Path:
    for candidate in (Path(os.environ.get("STATION_CONFIG", "")), Path.cwd() / "stations.toml"):
        if candidate.is_file():
            return candidate
    raise BadInput("找不到站点拓扑文件：请用 --config 指定 stations.toml")


def cmd_agent_add(ctx: Context) -> None:
    from station.lockbox import AGENT_ADD_LOCKED_TEXT, StoreLocked

    args = ctx.args
    try:
        operator = ctx.service.add_agent(args.id, args.name, args.role, os.environ.get("STATION_PIN"))
    except StoreLocked as exc:
        raise StoreLocked(AGENT_ADD_LOCKED_TEXT) from exc
    emit(ctx, {"id": operator.id, "name": operator.name, "role": operator.role},
         f"已添加操作员 {operator.id} {operator.name}（{ROLE_LABELS.get(operator.role, operator.role)}）")


def cmd_items(ctx: Context) -> None:
    items = [_item_json(item) for item in ctx.catalogue().items()]
    emit(ctx, {"items": items}, lambda: items_text(items))


def _item_json(item: Any) -> dict[str, Any]:
    return {
        "code": item.code, "name": item.name, "version": item.version, "kind": item.kind, "level": item.level,
        "legal_days": item.legal_days, "promise_days": item.promise_days, "instant": item.instant,
        "max_extension_days": item.max_extension_days, "pauses": list(item.pauses),
        "public_notice_days": item.public_notice_days,
        "on_behalf": item.on_behalf, "fee": item.fee, "basis": item.basis, "conditions": list(item.conditions),
        "fields": [{"key": f.key, "label": f.label, "type": f.type, "required": f.required,
                    "choices": list(f.choices), "example": f.example} for f in item.fields],
        "materials": [{"key": m.key, "name": m.name, "required": m.required, "deferrable": m.deferrable,
                       "defer_days": m.defer_days, "form": m.form, "copies": m.copies} for m in item.materials],
    }


def _key_values(pairs: list[str]) -> dict[str, str]:
    bad = [p for p in pairs if "=" not in p]
    if bad:
        raise BadInput(*[f"--field 应写成 键=值，收到“{p}”" for p in bad])
    return dict(p.split("=", 1) for p in pairs)


def cmd_intake(ctx: Context) -> None:
    from station.service import IntakeRequest

    args = ctx.args
    request = IntakeRequest(item_code=args.item, applicant_id=args.applicant_id, applicant_name=args.applicant_name,
                            phone=args.phone, fields=_key_values(args.field), received=args.received,
                            deferred=args.deferred, sms_opt_out=args.no_sms)
    operator = ctx.operator()
    result = ctx.service.intake(operator, request)
    lines = [f"已收件：{display_case_no(result['case_no'])}（{STATUS_LABELS.get(result['status'], result['status'])}）",
             f"办结期限：{result['deadline'] or result['deadline_note']}",
             f"容缺补交期限：{result['supplement_due'] or '无'}", f"查询网址：{result['tracking_url']}"]
    emit(ctx, result, "\n".join(lines))


def _show_case(ctx: Context, view: CaseView, heading: str = "") -> None:
    emit(ctx, view.to_json(), lambda: heading + case_text(view, ctx.service.field_labels(view)))


def cmd_case(ctx: Context) -> None:
    if not ctx.json:
        _load_what_the_text_needs(ctx.service)
    _show_case(ctx, ctx.service.case_view(ctx.args.case_no))


def _load_what_the_text_needs(service: StationService) -> None:
    """The form's labels (the catalogue, which needs no key) and the text's padding, read
    before the store is unlocked: while the PIN's digest started ahead still runs."""
    service.catalogue  # noqa: B018 - read now, used by field_labels
    import rich.cells  # noqa: F401


def cmd_cases(ctx: Context) -> None:
    rows = ctx.service.list_cases(status=ctx.args.status, overdue=ctx.args.overdue, limit=ctx.args.limit)
    emit(ctx, {"cases": rows}, lambda: cases_text(rows))


def cmd_act(ctx: Context) -> None:
    args = ctx.args
    operator = ctx.operator()
    state = ctx.service.act(operator, args.case_no, args.kind, reason=args.reason,
                            materials=args.material, level=args.level, days=args.days, until=args.until)
    _show_case(ctx, ctx.service.case_view(state.case_no), f"已记录：{KIND_LABELS.get(args.kind, args.kind)}\n")


def cmd_receipt(ctx: Context) -> None:
    from station.receipts import render_png, render_text  # Pillow and qrcode load only for a receipt

    args = ctx.args
    data = ctx.service.handed_over_receipt(args.case_no)
    written: dict[str, str] = {}
    if args.png:
        render_png(data, args.png)
        written["png"] = str(args.png)
    if args.pdf:
        from station.documents import render_pdf  # the PDF stack loads only when asked for
        render_pdf(data, "receipt", args.pdf)
        written["pdf"] = str(args.pdf)
    text = render_text(data)
    emit(ctx, {"case_no": data.case_no, "tracking_url": data.tracking_url, "text": text, **written},
         text if args.text or not written else "\n".join(f"已写入 {p}" for p in written.values()))

