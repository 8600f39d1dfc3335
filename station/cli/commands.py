"""The table of ``station`` commands: each command's module and help, the module loaded only when run.

``station --help`` lists every command from this table alone; running one imports the
module that defines it (its ``register(subparsers)`` adds its commands), so ``station
items`` never loads the receipt, document, attachment or sync code. The table keeps the
order the help lists; ``tests/station/test_cli_commands.py`` checks it against what the
modules register. It loads no argparse (:mod:`.parser` makes the parsers): a command that
reads the store is known from it before the parser is built (:mod:`.main`).
"""
from __future__ import annotations

from typing import NamedTuple

__all__ = ["COMMANDS", "CommandEntry", "command_modules"]


class CommandEntry(NamedTuple):
    module: str
    """The module under ``station.cli`` whose ``register`` adds the command."""
    help: str
    reads_store: bool = False
    """The command opens the store with the PIN alone (no ``--agent``): the PIN's scrypt is started
    as soon as the command is known, while its code loads (:mod:`station.unlock_ahead`)."""


COMMANDS: dict[str, CommandEntry] = {
    "init": CommandEntry("core", "初始化本站：数据库、密钥、站点拓扑"),
    "info": CommandEntry("core", "本站信息：代码、层级、公钥、同步地址（登记到市中心时用）"),
    "agent": CommandEntry("core", "操作员"),
    "items": CommandEntry("core", "事项目录"),
    "tui": CommandEntry("core", "终端界面"),
    "intake": CommandEntry("core", "代为收件"),
    "case": CommandEntry("core", "查看一个案件", reads_store=True),
    "cases": CommandEntry("core", "案件列表", reads_store=True),
    "act": CommandEntry("core", "办理：记录一个事件"),
    "receipt": CommandEntry("core", "回执"),
    "print": CommandEntry("documents", "打印文书：回执、受理通知书、不予受理通知书、一次性告知书、容缺受理承诺书"),
    "report": CommandEntry("documents", "本站统计：收件、受理、办结、按期、容缺、满意率、差评回访"),
    "watch": CommandEntry("documents", "今日提醒：临期和逾期、容缺逾期、久未受理、差评未回访"),
    "sync": CommandEntry("sync", "与市政务服务中心同步一次：先上传，再下载"),
    "bundle": CommandEntry("sync", "数据包（U 盘传递）"),
    "attach": CommandEntry("attachments", "把扫描件附到案件的某项材料上"),
    "attachments": CommandEntry("attachments", "案件的附件；--fetch 从市中心下载本站没有的"),
    "attach-config": CommandEntry("attachments", "附件设置：空间上限、上传带宽、监视文件夹"),
    "upload": CommandEntry("attachments", "把待上传的附件传到市中心（在事件同步之后）"),
    "queue": CommandEntry("queue", "待本站决定的案件，按法定紧急程度排序（超5日未受理、逾期、即将到期、其他）"),
    "restore": CommandEntry("recovery", "新电脑：从市政务服务中心（或备份文件）找回本站的办件和记录"),
    "backup": CommandEntry("recovery", "把本站数据库和附件写成一份加密备份（软件运行时也可以）"),
    "rekey": CommandEntry("recovery", "换一把新的恢复密钥（旧备份仍要用旧密钥打开）"),
}


def command_modules() -> list[str]:
    """The command modules, in the table's order."""
    return list(dict.fromkeys(entry.module for entry in COMMANDS.values()))
