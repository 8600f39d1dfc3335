"""argparse in Chinese: ``用法：``, ``选项``, and its error messages, for ``station`` and ``cityhall``.

argparse writes its own words in English (``usage:``, ``options:``, ``invalid choice``); the
people at a station read Chinese. Its messages are translated after formatting, so values
and option names stay exactly as typed.
"""
from __future__ import annotations

import argparse
import functools
import os
import re
import sys
from typing import Any, NoReturn

__all__ = ["ChineseArgumentParser", "chinese_error"]

_MESSAGES = (
    (r"invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)", "取值 {value} 无效，可选：{choices}"),
    (r"the following arguments are required: (?P<names>.+)", "缺少必填参数：{names}"),
    (r"unrecognized arguments: (?P<words>.+)", "无法识别的参数：{words}"),
    (r"expected one argument", "需要一个值"),
    (r"expected at least one argument", "至少需要一个值"),
    (r"invalid (?P<type>\w+) value: (?P<value>.+)", "取值 {value} 无效（应为{type}）"),
    (r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)", "选项 {option} 有歧义，可能是：{matches}"),
    (r"not allowed with argument (?P<other>.+)", "不能与 {other} 同时使用"),
)
"""argparse's messages (as regular expressions) and their Chinese; compiled on the first error only
(:func:`_compiled`): compiling them cost a command's start more than the rest of this module."""
_TYPE_NAMES = {"int": "整数", "float": "数字"}
_ARGUMENT = r"^argument (?P<name>[^:]+): (?P<rest>.*)$"


def chinese_error(message: str) -> str:
    """argparse's English error message in Chinese (unchanged when it is not one it knows)."""
    prefix = ""
    argument_pattern, messages = _compiled()
    argument = argument_pattern.match(message)
    if argument:
        prefix, message = f"参数 {argument['name']}：", argument["rest"]
    for pattern, chinese in messages:
        found = pattern.fullmatch(message)
        if found:
            values = found.groupdict()
            if "type" in values:
                values["type"] = _TYPE_NAMES.get(values["type"], values["type"])
            return prefix + chinese.format(**values)
    return prefix + message


@functools.cache
def _compiled() -> tuple[re.Pattern[str], list[tuple[re.Pattern[str], str]]]:
    return re.compile(_ARGUMENT), [(re.compile(pattern), chinese) for pattern, chinese in _MESSAGES]


def _terminal_columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` finds it, without importing shutil: argparse
    makes a formatter for every option it adds, and shutil is most of what that costs a short command."""
    try:
        columns = int(os.environ.get("COLUMNS") or 0)
    except ValueError:
        columns = 0
    stdout = sys.__stdout__
    if columns <= 0 and stdout is not None:
        try:
            columns = os.get_terminal_size(stdout.fileno()).columns
        except (AttributeError, ValueError, OSError):  # not a terminal, or a stream without a descriptor
            columns = 0
    return columns if columns > 0 else 80


class _ChineseHelpFormatter(argparse.HelpFormatter):
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, width or _terminal_columns() - 2)

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """Help and errors in Chinese; ``hint`` is the line after an error (how to see the usage)."""

    hint = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _ChineseHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"命令参数有误：{chinese_error(message)}\n")
        if self.hint:
            sys.stderr.write(self.hint + "\n")
        raise SystemExit(2)
