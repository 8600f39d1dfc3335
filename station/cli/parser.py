"""The ``station`` parser, each command's own parser made only when that command runs.

Kept apart from :mod:`.main` so that argparse loads after a command that reads the store has
started its PIN's scrypt (:mod:`station.unlock_ahead`).
"""
from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .chinese_argparse import ChineseArgumentParser
from .commands import COMMANDS, command_modules

__all__ = ["build_parser", "LazyCommands"]


class _Parser(ChineseArgumentParser):
    hint = "用 station --help 查看用法"


def build_parser(*, lazy: bool = False,
                 before_load: Callable[[str, argparse.Namespace], None] | None = None) -> argparse.ArgumentParser:
    """The whole parser; ``lazy``: each command's own parser (and module) made only when it is run,
    ``before_load`` called just before (:class:`LazyCommands`)."""
    parser = _Parser(prog="station", description="便民服务站代办工具")
    parser.add_argument("--home", type=Path, help="站点数据目录（默认读环境变量 STATION_HOME）")
    parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, action=LazyCommands)
    assert isinstance(commands, LazyCommands)
    commands.before_load = before_load
    if not lazy:
        commands.load_all()
    return parser


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
