"""Commands that talk to the city hall or carry its data: sync, bundle export/import."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .context import Context, add_give_up_option, emit, give_up_window
from .text import upload_text

__all__ = ["register"]

MB = 1024 * 1024
# the sync package (httpx, tenacity, zstd) is imported inside each command: every other
# ``station`` command starts without it


def register(commands: argparse._SubParsersAction) -> None:
    sync = commands.add_parser("sync", help="与市政务服务中心同步一次：先上传，再下载")
    add_give_up_option(sync)
    sync.set_defaults(handler=cmd_sync)

    bundle = commands.add_parser("bundle", help="数据包（U 盘传递）").add_subparsers(dest="bundle_command", required=True)
    export = bundle.add_parser("export", help="写数据包：不加 --for 是往上级送的（本站未上传的记录），"
                                              "加 --for 是送给一个下级站点的")
    export.add_argument("file", type=Path, help="写入的数据包文件（如 U 盘上的路径）")
    export.add_argument("--for", dest="for_station", metavar="CODE",
                        help="送给本站下级的这个站点（12 位代码）：只写该站及其下级站点的案件，"
                             "只有该站、中间的站点、本站、上级站点和市政务服务中心能打开")
    export.set_defaults(handler=cmd_bundle_export)
    imported = bundle.add_parser("import", help="导入其他站点的数据包（下次同步时代为上传）")
    imported.add_argument("file", type=Path, help="要导入的数据包文件")
    imported.set_defaults(handler=cmd_bundle_import)


def cmd_sync(ctx: Context) -> None:
    """Events, then files, all inside one ``--give-up-after`` window (DESIGN §7: gives up within 30 s)."""
    from sync.round import sync_round

    round_ = sync_round(ctx.service, give_up_window(ctx.args.give_up_after))
    report, payload = round_.events, round_.to_json()
    lines = [f"已上传 {report.pushed} 条，已下载 {report.pulled} 条，待上传 {report.pending} 条，"
             f"被退回 {report.rejected} 条；本机时钟偏差 {report.clock_offset_s:+.1f} 秒"]
    if report.relayed_bundles:
        lines.append(f"已代为上传其他站点的数据包 {report.relayed_bundles} 个")
    if report.refused_bundles:
        lines.append(f"市政务服务中心拒收了代传的数据包 {report.refused_bundles} 个：已移到本站数据文件夹的 "
                     "relay/refused 里保留（原因写在同名 .json 文件中），不再上传，其余照常同步")
    lines.append(upload_text(round_.files_json()))
    lines += [f"  退回：{r['case_no']} {r['kind']}（{r['at'][:16]}）—— {r['reason']}"
              for r in ctx.service.store.rejected_events()] if report.rejected else []
    emit(ctx, payload, "\n".join(lines))


def cmd_bundle_export(ctx: Context) -> None:
    from sync.carry import export_bundle

    result = export_bundle(ctx.service, ctx.args.file, ctx.args.for_station)
    audience = f"（送给下级站点 {result['for_station']}）" if result["for_station"] else ""
    lines = [f"已写入数据包 {result['file']}{audience}：{result['events']} 条记录，"
             f"附件 {result['files']} 个（{result['file_bytes'] / MB:.1f} MB），"
             f"另带其他站点的数据包 {result['carried_bundles']} 个"]
    emit(ctx, result, "\n".join(lines + [f"  {problem}" for problem in result["files_left_out"]]))


def _imported_line(result: dict[str, Any], origin: str) -> str:
    if result["already_imported"]:
        relay = "，仍在等待下次同步时代为上传" if result["already_queued"] else \
            "，下次同步时再代为上传一次（市中心自动去重）" if result["will_relay"] else ""
        return f"这个数据包已导入过（来自 {origin}）：其中 {result['events']} 条记录本站都已有，没有新内容{relay}"
    relay = "，下次同步时代为上传" if result["will_relay"] else ""
    files = f"，附件 {result['files']} 个" if result["files"] else ""
    return f"已导入 {origin} 的数据包：新记录 {result['applied']} 条{files}{relay}"


def cmd_bundle_import(ctx: Context) -> None:
    from sync.bundle import printable
    from sync.carry import import_bundle

    result = import_bundle(ctx.service, ctx.args.file)
    lines = [_imported_line(result, printable(result["from"]))]
    lines += [f"  {problem}" for problem in result["files_dropped"]]
    if result["files_for_other_stations"]:
        lines.append(f"  另有 {result['files_for_other_stations']} 个附件属于本站无权查看的案件，未导入")
    emit(ctx, result, "\n".join(lines))
