"""The lazy command table: it names what the modules register, and a command loads only its module."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from station.cli.commands import COMMANDS, command_modules
from station.cli.main import _command_named, main
from station.cli.parser import build_parser


def _commands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def test_the_table_lists_what_each_module_registers_in_order_with_its_help() -> None:
    registered: dict[str, tuple[str, str | None]] = {}
    for module in command_modules():
        subparsers = argparse.ArgumentParser().add_subparsers()
        __import__(f"station.cli.{module}", fromlist=["register"]).register(subparsers)
        helps = {choice.dest: choice.help for choice in subparsers._choices_actions}
        registered |= {name: (module, helps.get(name)) for name in subparsers.choices}
    assert registered == {name: (entry.module, entry.help) for name, entry in COMMANDS.items()}
    assert list(registered) == list(COMMANDS)


def test_the_lazy_parser_helps_and_refuses_like_the_whole_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert build_parser(lazy=True).format_help() == build_parser().format_help()
    with pytest.raises(SystemExit) as exited:
        main(["bogus"])
    assert exited.value.code == 2
    assert "取值 'bogus' 无效，可选：'init', 'info', 'agent', 'items'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["cases", "--status", "nonsense"])
    assert exited.value.code == 2 and "取值 'nonsense' 无效" in capsys.readouterr().err


def test_a_command_parsed_lazily_has_its_own_options_and_handler() -> None:
    parser = build_parser(lazy=True)
    assert all(made is None for made in _commands(parser).choices.values())  # nothing made until it runs
    args = parser.parse_args(["act", "420115102203202611230001X", "noted", "--agent", "A01", "--reason", "备注"])
    assert (args.command, args.kind, args.agent, args.reason, args.handler.__name__) == (
        "act", "noted", "A01", "备注", "cmd_act")
    made = [name for name, sub in _commands(parser).choices.items() if sub is not None]
    assert made == ["act"]  # not even the other commands of its module


@pytest.mark.parametrize("argv", [["--help"], ["items", "--help"], ["cases", "--help"]])
def test_help_loads_no_other_command_module(argv: list[str]) -> None:
    code = ("import json, sys\nfrom station.cli.main import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n"
            "    pass\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith('station.cli.'))), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stderr.splitlines()[-1]))
    wanted = {f"station.cli.{COMMANDS[argv[0]].module}"} if argv[0] in COMMANDS else set()
    assert loaded - {"station.cli.main", "station.cli.commands", "station.cli.parser", "station.cli.context",
                     "station.cli.chinese_argparse", "station.cli.text"} == wanted


@pytest.mark.parametrize(("argv", "named"), [
    (["cases"], ("cases", None)),
    (["--home", "/some/home", "case", "X"], ("case", Path("/some/home"))),
    (["--home=/some/home", "cases", "--limit", "3"], ("cases", Path("/some/home"))),
    (["--ho", "/some/home", "cases"], None),  # an abbreviation: the parser reads it
    (["--help"], None),
    (["--home"], None),
    ([], None),
])
def test_the_command_is_read_before_the_parser_only_off_a_plain_line(argv: list[str],
                                                                    named: tuple[str, Path | None] | None) -> None:
    assert _command_named(argv) == named
