"""Parse the command line, run one command, map errors to exit codes; never a traceback."""
from __future__ import annotations

import argparse
import errno
import sys
import traceback
from pathlib import Path

from station.errors import StationError
from station.home import StationHome, default_home

from . import attachments, core, documents, recovery, sync
from .context import Context

__all__ = ["main", "build_parser"]

COMMAND_MODULES = [core, documents, sync, attachments, recovery]
"""Each module's ``register(subparsers)`` adds its commands."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"命令参数有误：{message}\n用 station --help 查看用法\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="station", description="便民服务站代办工具")
    parser.add_argument("--home", type=Path, help="站点数据目录（默认读环境变量 STATION_HOME）")
    parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def _split_global_flags(argv: list[str]) -> tuple[list[str], bool]:
    """``--json`` may stand anywhere on the line."""
    return [a for a in argv if a != "--json"], "--json" in argv


def main(argv: list[str] | None = None) -> int:
    args_list, as_json = _split_global_flags(list(sys.argv[1:] if argv is None else argv))
    args = build_parser().parse_args(args_list)
    ctx = Context(home=StationHome(args.home or default_home()), json=as_json, args=args)
    handler = getattr(args, "handler", None) or core.run_tui
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
        if _disk_full(exc):
            sys.stderr.write("磁盘空间已满，本次操作没有保存；之前保存的记录都完好。请清理磁盘空间后重试\n")
            return 1
        _log_crash(ctx)
        sys.stderr.write(f"内部错误：{type(exc).__name__}: {exc}。数据未丢失；详情已写入日志，请联系技术支持\n")
        return 1
    finally:
        ctx.close()


def _disk_full(exc: BaseException) -> bool:
    """SQLite's "database or disk is full", or a write refused for space (ENOSPC) or file size (EFBIG)."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG):
            return True
        if "disk is full" in str(exc) or "disk I/O error" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


def _log_crash(ctx: Context) -> None:
    log_dir = ctx.home.root / "logs" if ctx.home.root.exists() else Path.cwd()
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        with (log_dir / "error.log").open("a", encoding="utf-8") as log:
            log.write(traceback.format_exc() + "\n")
    except OSError as exc:  # the log's disk may be the full one: say so in one line, no traceback
        sys.stderr.write(f"（错误日志写不进去：{exc.strerror}）\n")


if __name__ == "__main__":
    raise SystemExit(main())
