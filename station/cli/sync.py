"""Commands that talk to the city hall or carry its data: sync, bundle export/import."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from station.errors import StationError
from sync.carry import export_bundle, import_bundle
from sync.client import SyncClient
from sync.files import FileTransfer

from .context import Context, emit

__all__ = ["register"]

MB = 1024 * 1024


def register(commands: argparse._SubParsersAction) -> None:
    sync = commands.add_parser("sync", help="与市政务服务中心同步一次：先上传，再下载")
    sync.add_argument("--give-up-after", type=float, default=30.0, metavar="SECONDS",
                      help="连不上时最多重试多久（默认 30 秒，不超过 30 秒）")
    sync.set_defaults(handler=cmd_sync)

    bundle = commands.add_parser("bundle", help="数据包（U 盘传递）").add_subparsers(dest="bundle_command", required=True)
    export = bundle.add_parser("export", help="把未上传的记录写入数据包")
    export.add_argument("file", type=Path)
    export.set_defaults(handler=cmd_bundle_export)
    imported = bundle.add_parser("import", help="导入其他站点的数据包（下次同步时代为上传）")
    imported.add_argument("file", type=Path)
    imported.set_defaults(handler=cmd_bundle_import)


def cmd_sync(ctx: Context) -> None:
    give_up_after = min(max(ctx.args.give_up_after, 0.5), 30.0)
    with SyncClient(ctx.service, give_up_after=give_up_after) as client:
        report = client.sync_once()
    files = _upload_files(ctx, give_up_after)  # after the events: a case never waits for its files
    payload = {"pushed": report.pushed, "pulled": report.pulled, "rejected": report.rejected,
               "pending": report.pending, "clock_offset_s": report.clock_offset_s,
               "relayed_bundles": report.relayed_bundles, "parked": report.parked, "files": files}
    lines = [f"已上传 {report.pushed} 条，已下载 {report.pulled} 条，待上传 {report.pending} 条，"
             f"被退回 {report.rejected} 条；本机时钟偏差 {report.clock_offset_s:+.1f} 秒"]
    if report.relayed_bundles:
        lines.append(f"已代为上传其他站点的数据包 {report.relayed_bundles} 个")
    lines.append(_files_line(files))
    lines += [f"  退回：{r['case_no']} {r['kind']}（{r['at'][:16]}）—— {r['reason']}"
              for r in ctx.service.store.rejected_events()] if report.rejected else []
    emit(ctx, payload, "\n".join(lines))


def _upload_files(ctx: Context, give_up_after: float) -> dict[str, Any]:
    """Attachment files that are due; a failure here is reported, the events' sync still stands."""
    transfer = FileTransfer(ctx.service, give_up_after=give_up_after)
    error = None
    try:
        with transfer:
            transfer.upload_pending()
    except StationError as exc:
        error = str(exc)
    report = transfer.report
    return {"uploaded": report.uploaded, "bytes_sent": report.bytes_sent, "pending": report.pending,
            "waiting_for_events": report.waiting_for_events, "errors": report.errors, "error": error}


def _files_line(files: dict[str, Any]) -> str:
    line = (f"附件：已上传 {files['uploaded']} 个（{files['bytes_sent'] / 1024:.0f} KB），"
            f"待上传 {files['pending']} 个，等待案件记录先上传的 {files['waiting_for_events']} 个")
    problems = files["errors"] + ([files["error"]] if files["error"] else [])
    return "\n".join([line, *(f"  附件问题：{problem}" for problem in problems)])


def cmd_bundle_export(ctx: Context) -> None:
    result = export_bundle(ctx.service, ctx.args.file)
    lines = [f"已写入数据包 {result['file']}：{result['events']} 条记录，"
             f"附件 {result['files']} 个（{result['file_bytes'] / MB:.1f} MB），"
             f"另带其他站点的数据包 {result['carried_bundles']} 个"]
    emit(ctx, result, "\n".join(lines + [f"  {problem}" for problem in result["files_left_out"]]))


def cmd_bundle_import(ctx: Context) -> None:
    result = import_bundle(ctx.service, ctx.args.file)
    relay = "，下次同步时代为上传" if result["will_relay"] else ""
    files = f"，附件 {result['files']} 个" if result["files"] else ""
    emit(ctx, result, f"已导入 {result['from']} 的数据包：新记录 {result['applied']} 条{files}{relay}")
