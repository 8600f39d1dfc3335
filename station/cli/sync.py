"""Commands that talk to the city hall or carry its data: sync, bundle export/import."""
from __future__ import annotations

import argparse
from pathlib import Path

from sync.carry import export_bundle, import_bundle
from sync.client import SyncClient

from .context import Context, emit

__all__ = ["register"]


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
    payload = {"pushed": report.pushed, "pulled": report.pulled, "rejected": report.rejected,
               "pending": report.pending, "clock_offset_s": report.clock_offset_s,
               "relayed_bundles": report.relayed_bundles, "parked": report.parked}
    lines = [f"已上传 {report.pushed} 条，已下载 {report.pulled} 条，待上传 {report.pending} 条，"
             f"被退回 {report.rejected} 条；本机时钟偏差 {report.clock_offset_s:+.1f} 秒"]
    if report.relayed_bundles:
        lines.append(f"已代为上传其他站点的数据包 {report.relayed_bundles} 个")
    lines += [f"  退回：{r['case_no']} {r['kind']}（{r['at'][:16]}）—— {r['reason']}"
              for r in ctx.service.store.rejected_events()] if report.rejected else []
    emit(ctx, payload, "\n".join(lines))


def cmd_bundle_export(ctx: Context) -> None:
    result = export_bundle(ctx.service, ctx.args.file)
    emit(ctx, result, f"已写入数据包 {result['file']}：{result['events']} 条记录，"
                      f"另带其他站点的数据包 {result['carried_bundles']} 个")


def cmd_bundle_import(ctx: Context) -> None:
    result = import_bundle(ctx.service, ctx.args.file)
    relay = "，下次同步时代为上传" if result["will_relay"] else ""
    emit(ctx, result, f"已导入 {result['from']} 的数据包：新记录 {result['applied']} 条{relay}")
