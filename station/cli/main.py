"""Parse the command line, run one command, map errors to exit codes; never a traceback."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from station.errors import BadInput, DiskUnwritable, StationError
from station.home_dir import default_home

from .commands import COMMANDS

if TYPE_CHECKING:  # argparse, the home and the context load after the scrypt is started (see _UnlockAhead)
    import argparse

    from station.pins import PinDigests

    from .context import Context

__all__ = ["main", "undecodable_arguments"]


class _UnlockAhead:
    """A command that reads the store with the PIN starts its scrypt once the command is known, before
    argparse, its module, the service, the store and the ciphers load (:mod:`station.unlock_ahead`).

    The command is read off the line before the parser is built (:func:`_command_named`); a line
    that is not plain enough for that is parsed first, and the parser calls this object just
    before the command's module loads.
    """

    def __init__(self) -> None:
        self.digests: PinDigests | None = None

    def start(self, command: str, home: Path | None) -> None:
        entry = COMMANDS.get(command)
        if self.digests is None and entry is not None and entry.reads_store:
            from station.unlock_ahead import start_pin_digest

            self.digests = start_pin_digest(home or default_home(), os.environ)

    def __call__(self, command: str, namespace: argparse.Namespace) -> None:
        self.start(command, namespace.home)


def _command_named(args: list[str]) -> tuple[str, Path | None] | None:
    """The command and the ``--home`` given before it, as the parser will read them; None when the
    line has any other option before the command (an abbreviation, ``--help``): the parser decides."""
    home: Path | None = None
    position = 0
    while position < len(args):
        arg = args[position]
        if arg == "--home" and position + 1 < len(args):
            home, position = Path(args[position + 1]), position + 2
        elif arg.startswith("--home="):
            home, position = Path(arg.removeprefix("--home=")), position + 1
        elif arg.startswith("-"):
            return None
        else:
            return arg, home
    return None


def _split_global_flags(argv: list[str]) -> tuple[list[str], bool]:
    """``--json`` may stand anywhere on the line."""
    return [a for a in argv if a != "--json"], "--json" in argv


def main(argv: list[str] | None = None) -> int:
    args_list, as_json = _split_global_flags(list(sys.argv[1:] if argv is None else argv))
    undecodable = undecodable_arguments(args_list)
    if undecodable:
        sys.stderr.write("".join(problem + "\n" for problem in undecodable))
        return BadInput.exit_code
    ahead = _UnlockAhead()
    named = _command_named(args_list)
    if named is not None:
        ahead.start(*named)
    from .parser import build_parser

    args = build_parser(lazy=True, before_load=ahead).parse_args(args_list)
    from station.home import StationHome

    from .context import Context

    ctx = Context(home=StationHome(args.home or default_home()), json=as_json, args=args, digests=ahead.digests)
    handler = getattr(args, "handler", None) or _run_tui
    try:
        handler(ctx)
        return 0
    except StationError as exc:
        for problem in exc.problems:
            sys.stderr.write(problem + "\n")
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for people
        from station.filewrite import disk_failure, disk_problem  # (tempfile) only when something failed

        refusal = disk_failure(exc)
        if refusal is not None:
            sys.stderr.write(disk_problem(refusal) + "\n")
            return DiskUnwritable.exit_code
        _log_crash(ctx)
        sys.stderr.write(f"内部错误：{type(exc).__name__}: {exc}。数据未丢失；详情已写入日志，请联系技术支持\n")
        return 1
    finally:
        ctx.close()


def _run_tui(ctx: Context) -> None:
    """``station`` alone opens the app."""
    from .core import run_tui

    run_tui(ctx)


def undecodable_arguments(args: list[str]) -> list[str]:
    """One line per command-line value that is not valid text, naming its option.

    Bytes that are not UTF-8 reach Python as lone surrogates; they cannot be stored, printed
    or sent, so they are refused up front instead of failing half-way through a command.
    """
    problems = []
    for position, value in enumerate(args):
        if not any("\ud800" <= ch <= "\udfff" for ch in value):
            continue
        option, given = _option_of(args, position)
        problems.append(f"{option} 的值含有无法识别的字节（不是 UTF-8 文字）：{_shown_bytes(given)}；请改用 UTF-8 编码重新输入")
    return problems


def _option_of(args: list[str], position: int) -> tuple[str, str]:
    """The option a value belongs to (``--field K=V``, ``--field=K=V``, or a positional one) and the value."""
    value = args[position]
    if value.startswith("--") and "=" in value:
        option, _, given = value.partition("=")
        return option, given
    before = args[position - 1] if position else ""
    if before.startswith("-") and "=" not in before:
        return before, value
    return f"第 {position + 1} 个参数", value


def _shown_bytes(value: str) -> str:
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no byte decoded to (main() called with such a string)
        return value.encode("utf-8", "backslashreplace").decode("ascii")


def _log_crash(ctx: Context) -> None:
    """The traceback, with citizens' data masked (:mod:`station.logmask`), to ``logs/error.log``."""
    import traceback  # loaded only when there is a crash to log

    from station.logmask import argument_values, mask

    log_dir = ctx.home.root / "logs" if ctx.home.root.exists() else Path.cwd()
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        with (log_dir / "error.log").open("a", encoding="utf-8") as log:
            log.write(mask(traceback.format_exc(), argument_values(vars(ctx.args))) + "\n")
    except OSError as exc:  # the log's disk may be the full one: say so in one line, no traceback
        sys.stderr.write(f"（错误日志写不进去：{exc.strerror}）\n")


if __name__ == "__main__":
    raise SystemExit(main())
