"""Commands for scanned materials: attach, attachments, attach-config, upload."""
from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from station.errors import BadInput
from station.ledger import display_case_no

from .context import Context, add_give_up_option, emit, give_up_window
from .text import upload_text

__all__ = ["register"]

MB = 1024 * 1024
# station.attachments (Pillow, the upload code) is imported inside each command: every other
# ``station`` command starts without it


def register(commands: argparse._SubParsersAction) -> None:
    attach = commands.add_parser("attach", help="把扫描件附到案件的某项材料上")
    attach.add_argument("case_no", help="案件编号（带不带分隔符都可以）")
    attach.add_argument("material", help="材料代码，或 authorisation（委托书）")
    attach.add_argument("files", nargs="*", type=Path, metavar="FILE", help="扫描件文件（PDF、JPEG、PNG），可多个")
    attach.add_argument("--agent", required=True, help="操作员工号（PIN 读环境变量 STATION_PIN）")
    attach.add_argument("--grayscale", action="store_true", help="上传副本转为灰度")
    attach.add_argument("--watch", type=Path, metavar="DIR", help="监视高拍仪保存文件的文件夹")
    attach.add_argument("--once", action="store_true", help="只扫描监视文件夹一次")
    attach.add_argument("--settle", type=float, default=2.0, help="文件大小多少秒不变才算写完")
    attach.set_defaults(handler=cmd_attach)

    listing = commands.add_parser("attachments", help="案件的附件；--fetch 从市中心下载本站没有的")
    listing.add_argument("case_no", nargs="?", help="案件编号")
    listing.add_argument("--fetch", action="store_true", help="从市中心下载本站没有的附件")
    listing.add_argument("--usage", action="store_true", help="只显示附件占用的磁盘空间")
    listing.set_defaults(handler=cmd_attachments)

    config = commands.add_parser("attach-config", help="附件设置：空间上限、上传带宽、监视文件夹")
    config.add_argument("--cap-mb", type=int, help="附件占用磁盘的上限（MB）")
    config.add_argument("--rate", type=int, metavar="BYTES_PER_S", help="附件上传/下载限速，0 为不限")
    config.add_argument("--grayscale", choices=["on", "off"], help="上传副本是否转为灰度：on 或 off")
    config.add_argument("--watch-folder", help="高拍仪保存文件的文件夹（attach --watch 的默认值）")
    config.set_defaults(handler=cmd_attach_config)

    upload = commands.add_parser("upload", help="把待上传的附件传到市中心（在事件同步之后）")
    upload.add_argument("--rate", type=int, metavar="BYTES_PER_S", help="本次上传限速（字节/秒），0 为不限")
    add_give_up_option(upload)
    upload.set_defaults(handler=cmd_upload)


def cmd_attach(ctx: Context) -> None:
    from station.attachments import attach_files, disk_usage

    args = ctx.args
    if args.watch is None and not args.files:
        raise BadInput("请给出要附上的文件，或用 --watch 指定高拍仪的文件夹")
    operator = ctx.operator()
    if args.watch is None:
        attached = attach_files(ctx.service, operator, args.case_no, args.material, args.files, args.grayscale or None)
        rows = [a.to_dict() for a in attached]
        emit(ctx, {"attached": rows, "usage": disk_usage(ctx.service)}, _attached_text(rows))
        return
    _watch(ctx, operator)


def _watch(ctx: Context, operator: Any) -> None:
    from station.attachments import WatchedFolder, disk_usage

    args = ctx.args
    folder = WatchedFolder(args.watch, settle_seconds=args.settle)
    attached: list[dict[str, Any]] = []
    refused: list[str] = []
    while True:
        result = folder.scan(ctx.service, operator, args.case_no, args.material)
        attached += [a.to_dict() for a in result.attached]
        refused += result.refused
        if not ctx.json:
            _print_progress(result)
        if args.once:
            break
        time.sleep(min(args.settle, 1.0) or 0.5)
    emit(ctx, {"attached": attached, "refused": refused, "usage": disk_usage(ctx.service)},
         f"共附上 {len(attached)} 个文件" + (f"，{len(refused)} 个无法识别已移到“无法识别”" if refused else ""))


def _print_progress(result: Any) -> None:
    for item in result.attached:
        print(f"已附上 {item.name}（{item.size // 1024} KB）")
    for line in result.refused:
        print(f"跳过 {line}")


def _attached_text(rows: list[dict[str, Any]]) -> str:
    lines = [f"已附上 {r['name']} → {r['material']}：上传副本 {r['size'] // 1024} KB"
             f"（原件 {r['original_size'] // 1024} KB 留在本站）" for r in rows]
    return "\n".join(lines)


def cmd_attachments(ctx: Context) -> None:
    from station.attachments import disk_usage, list_attachments

    args = ctx.args
    if args.case_no is None:
        if not args.usage:
            raise BadInput("请给出案件编号，或用 --usage 查看附件占用空间")
        usage = disk_usage(ctx.service)
        emit(ctx, {"usage": usage}, _usage_text(usage))
        return
    fetched: dict[str, Any] = {}
    if args.fetch:
        from sync.files import fetch_case_files  # the network stack loads only when asked for

        fetched = fetch_case_files(ctx.service, args.case_no)
    rows = list_attachments(ctx.service, args.case_no)
    payload = {"case_no": ctx.service.case(args.case_no).case_no, "attachments": rows,
               "usage": disk_usage(ctx.service)} | ({"fetched": fetched} if args.fetch else {})
    emit(ctx, payload, _listing_text(payload))


def _listing_text(payload: dict[str, Any]) -> str:
    lines = [f"案件 {display_case_no(payload['case_no'])} 的附件："]
    for row in payload["attachments"]:
        where = row["path"] or "本站没有（用 --fetch 下载）"
        lines.append(f"  {row['material_name'] or row['material']}  {row['name']}  {row['size'] // 1024} KB  {where}")
    if not payload["attachments"]:
        lines.append("  （无）")
    return "\n".join(lines + [_usage_text(payload["usage"])])


def _usage_text(usage: dict[str, int]) -> str:
    return (f"附件占用 {usage['used_bytes'] / MB:.1f} MB / 上限 {usage['cap_bytes'] / MB:.0f} MB；"
            f"待上传 {usage['pending_upload_files']} 个，{usage['pending_upload_bytes'] / MB:.1f} MB")


def cmd_attach_config(ctx: Context) -> None:
    from station.attachments import AttachmentSettings

    args, root = ctx.args, ctx.service.home.root
    problems = []
    if args.cap_mb is not None and args.cap_mb < 1:
        problems.append("--cap-mb 至少为 1")
    if args.rate is not None and args.rate < 0:
        problems.append("--rate 不能为负数（0 为不限速）")
    if problems:
        raise BadInput(*problems)
    grayscale = None if args.grayscale is None else args.grayscale == "on"
    settings = AttachmentSettings.load(root).changed(cap_megabytes=args.cap_mb, upload_bytes_per_second=args.rate,
                                                     grayscale=grayscale, watch_folder=args.watch_folder)
    settings.save(root)
    values = {k: getattr(settings, k) for k in settings.__dataclass_fields__}
    emit(ctx, values, "\n".join(f"{k} = {v}" for k, v in values.items()))


def cmd_upload(ctx: Context) -> None:
    from sync.files import upload_pending  # the network stack loads only when asked for

    if ctx.args.rate is not None and ctx.args.rate < 0:
        raise BadInput("--rate 不能为负数（0 为不限速）")
    result = upload_pending(ctx.service, rate=ctx.args.rate, give_up_after=give_up_window(ctx.args.give_up_after))
    emit(ctx, result, upload_text(result))
