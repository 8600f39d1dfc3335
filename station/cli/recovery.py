"""Commands for a lost, stolen or dead PC: restore on a new one, backups, the recovery key."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from station.errors import BadInput, NotFound, StationError, Unreachable

from .context import Context, add_give_up_option, emit, give_up_window

__all__ = ["register"]


def register(commands: argparse._SubParsersAction) -> None:
    restore = commands.add_parser("restore", help="新电脑：从市政务服务中心（或备份文件）找回本站的办件和记录")
    restore.add_argument("--from", dest="backup", type=Path, default=None,
                         help="先从 station backup 写的备份文件恢复（恢复密钥读环境变量 STATION_RECOVERY_KEY，否则从标准输入读）")
    add_give_up_option(restore)
    restore.set_defaults(handler=cmd_restore)
    backup = commands.add_parser("backup", help="把本站数据库和附件写成一份加密备份（软件运行时也可以）")
    backup.add_argument("file", type=Path, help="写入的备份文件")
    backup.set_defaults(handler=cmd_backup)
    rekey = commands.add_parser("rekey", help="换一把新的恢复密钥（旧备份仍要用旧密钥打开）")
    rekey.set_defaults(handler=cmd_rekey)


def cmd_restore(ctx: Context) -> None:
    from sync.restore import restore_from_hub

    payload: dict[str, Any] = {}
    lines = []
    if ctx.args.backup is not None:
        from station.restore_backup import restore_from_backup

        restored = restore_from_backup(ctx.service, ctx.args.backup, _recovery_key())
        payload["backup"] = restored.to_dict()
        lines.append(f"已从备份（{restored.backup_created_at[:16].replace('T', ' ')}）恢复：记录 {restored.events} 条"
                     f"（新 {restored.new_events} 条，其中 {restored.pending} 条旧电脑还没上传，下次同步时上传），"
                     f"附件 {restored.attachment_files} 个。")
    try:
        report = restore_from_hub(ctx.service, give_up_after=give_up_window(ctx.args.give_up_after))
    except StationError as exc:  # unreachable, or the new key not enrolled yet: the backup part stands
        if not payload:
            raise
        emit(ctx, payload | {"hub": "unreachable" if isinstance(exc, Unreachable) else "refused"}, "\n".join(lines))
        raise type(exc)(*exc.problems, "备份已经恢复；问题解决后请再运行 station restore（不带 --from），"
                                       "取回市政务服务中心更新的记录") from exc
    emit(ctx, payload | report.to_dict(), "\n".join(lines + [_hub_text(report)]))


def _hub_text(report: Any) -> str:
    lines = [f"已从市政务服务中心恢复：本站现有办件 {report.cases} 个；收到记录 {report.events} 条"
             f"（本站自己记录的 {report.own_events} 条），其中新记录 {report.new_events} 条。", report.lost]
    if report.next_serial:
        day, serial = max(report.next_serial.items())
        lines.append(f"{day} 新办件的当日序号从 {serial:04d} 开始，不会与旧电脑用过的编号重复。")
    lines.append("操作员不随市里的数据恢复：请管理员重新添加（station agent add）。")
    return "\n".join(lines)


def _recovery_key() -> Any:
    from station.recovery import RECOVERY_KEY_ENV, parse_recovery_key

    text = os.environ.get(RECOVERY_KEY_ENV)
    if text is None:
        if sys.stdin.isatty():
            sys.stderr.write("请输入恢复密钥（station init 时打印、乡镇保管的那一串）：")
            sys.stderr.flush()
        text = sys.stdin.readline()
    if not text.strip():
        raise BadInput(f"没有恢复密钥：请设环境变量 {RECOVERY_KEY_ENV}，或从标准输入给出")
    return parse_recovery_key(text)


def cmd_backup(ctx: Context) -> None:
    from station.attachments import blob_files
    from station.backup import write_backup

    service = ctx.service
    summary = write_backup(service.home, service.station.code, service.now().isoformat(timespec="seconds"),
                           ctx.args.file, service.store_key(), blob_files(service))
    emit(ctx, summary.to_dict(), f"已写入加密备份 {summary.file}：办件 {summary.cases} 个，记录 {summary.events} 条，"
                                 f"附件 {summary.attachment_files} 个（{summary.bytes / 1024 / 1024:.1f} MB）；"
                                 "打开它要用乡镇保管的恢复密钥")


def cmd_rekey(ctx: Context) -> None:
    from station.recovery import new_recovery_key, recovery_key_text, write_public

    if not ctx.home.exists:
        raise NotFound(f"{ctx.home.root} 还不是站点目录：请先运行 station init --station 站点代码")
    key = new_recovery_key()
    write_public(ctx.home.root, key)
    text = recovery_key_text(key)
    emit(ctx, {"recovery_key": text}, f"新的恢复密钥（只显示这一次，请抄下交乡镇保管）：{text}\n"
                                      "以后写的备份要用新密钥打开；之前写的备份仍要用旧密钥")
