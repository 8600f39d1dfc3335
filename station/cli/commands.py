"""The table of ``station`` commands: each command's module and help, the module loaded only when run.

``station --help`` lists every command from this table alone; running one imports the
module that defines it (its ``register(subparsers)`` adds its commands), so ``station
items`` never loads the receipt, document, attachment or sync code. The table keeps the
order the help lists; ``tests/station/test_cli_commands.py`` checks it against what the
modules register.
"""
from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

__all__ = ["COMMANDS", "CommandEntry", "LazyCommands", "command_modules"]


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


def _module(name: str) -> Any:
    return importlib.import_module(f"{__package__}.{name}")


class _Unmade:
    """What a module's ``register`` gets for a command that is not the one being run: every
    call (``add_argument``, ``add_subparsers``, ``set_defaults``...) does nothing and returns it,
    so the other commands' parsers are never made (argparse's set-up is most of a parse)."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: self


class LazyCommands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Sub-commands known by name and help at first; a command's own parser is made when it is run.

    A placeholder stands in the choices until its module registers the real parser, which
    takes the placeholder's place (the order of the help and of error messages stays the table's).
    When a command runs, only its own parser is made; :meth:`load_all` makes every one.
    ``before_load`` is called with the command's name and the options read so far (``--home``)
    just before its module loads.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.before_load: Callable[[str, argparse.Namespace], None] | None = None
        self._running: str | None = None
        self._help_of: dict[str, argparse.Action] = {}
        for name, entry in COMMANDS.items():
            choice = self._ChoicesPseudoAction(name, (), entry.help)
            self._choices_actions.append(choice)
            self._help_of[name] = choice
            self._name_parser_map[name] = None

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if self._running is not None and name != self._running and name in COMMANDS:
            return _Unmade()
        if self._name_parser_map.get(name, False) is not None:
            return super().add_parser(name, **kwargs)  # a command the table does not list (the test says so)
        self._help_of[name].help = kwargs.pop("help", self._help_of[name].help)
        kwargs.setdefault("prog", f"{self._prog_prefix} {name}")
        parser = self._parser_class(**kwargs)
        self._name_parser_map[name] = parser
        return parser

    def load(self, module: str) -> None:
        """Let ``module`` register its commands (those still unmade)."""
        if any(self._name_parser_map.get(n, 0) is None for n, e in COMMANDS.items() if e.module == module):
            _module(module).register(self)

    def load_all(self) -> None:
        for module in command_modules():
            self.load(module)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        assert isinstance(values, list)
        entry = COMMANDS.get(values[0])
        if entry is not None and self._name_parser_map.get(values[0]) is None:
            self._running = values[0]
            if self.before_load is not None:
                self.before_load(values[0], namespace)
            self.load(entry.module)
        super().__call__(parser, namespace, values, option_string)
