"""The commands speak Chinese: help, argument errors, case text, and the city hall's output."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from cityhall.cli import build_parser as cityhall_parser
from cityhall.cli import main as cityhall_main
from station.cli.parser import build_parser as station_parser
from station.cli.main import main as station_main
from tests.support.demo import DEMO_TOPOLOGY_FILE, VILLAGE

from .helpers import ALLOWANCE, example_fields

ENGLISH_ARGPARSE = re.compile(r"usage:|options:|positional arguments|show this help|invalid choice|required:")


def _help(main, argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:  # noqa: ANN001 - a CLI main
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("argv", [[], ["intake"], ["act"], ["cases"], ["agent", "add"], ["info"]])
def test_station_help_is_in_chinese(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(station_main, argv, capsys)
    assert text.startswith("用法：station") and not ENGLISH_ARGPARSE.search(text), text


@pytest.mark.parametrize("argv", [[], ["enroll"], ["serve"], ["verify"], ["staff", "add"], ["publish", "item"], ["notices"]])
def test_cityhall_help_is_in_chinese(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(cityhall_main, argv, capsys)
    assert text.startswith("用法：cityhall") and not ENGLISH_ARGPARSE.search(text), text


def test_a_wrong_kind_is_refused_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        station_main(["act", "420115102203202611230001X", "note", "--agent", "A01"])
    error = capsys.readouterr().err
    assert exited.value.code == 2
    assert "取值 'note' 无效，可选：" in error and "'noted'" in error and not ENGLISH_ARGPARSE.search(error)


def test_missing_arguments_are_listed_at_once_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        station_main(["intake"])
    assert "缺少必填参数：--agent, --item, --applicant-id, --applicant-name" in capsys.readouterr().err


def test_station_case_shows_labels_in_form_order_and_no_english(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "village"
    monkeypatch.setenv("STATION_PIN", "1234")
    assert station_main(["--home", str(home), "init", "--station", VILLAGE, "--config", str(DEMO_TOPOLOGY_FILE)]) == 0
    assert station_main(["--home", str(home), "agent", "add", "--id", "A01", "--name", "王小丽", "--role", "agent"]) == 0
    added = capsys.readouterr().out
    assert "（代办员）" in added and "agent" not in added.splitlines()[-1]
    fields = [arg for key, value in example_fields(ALLOWANCE).items() for arg in ("--field", f"{key}={value}")]
    assert station_main(["--home", str(home), "--json", "intake", "--agent", "A01", "--item", ALLOWANCE,
                         "--applicant-id", "11010519491231002x", "--applicant-name", "曾𠮷", *fields,
                         "--received", "id_and_hukou", "--received", "application_form",
                         "--deferred", "bank_card_copy"]) == 0
    case_no = re.search(r'"case_no": "(\w+)"', capsys.readouterr().out)[1]
    assert station_main(["--home", str(home), "case", case_no]) == 0
    text = capsys.readouterr().out
    assert "年龄段" in text and "age_band" not in text and "（received）" not in text
    labels = [line.split("：")[0].strip() for line in text.splitlines() if line.startswith("  ") and "：" in line]
    assert labels.index("年龄段") < labels.index("开户银行")  # the form's order, not the keys' order


def test_cityhall_enroll_answers_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = "GrPOgi2AlMlAsQ_n3MxxRnxlCjFfUssW8JQLAYce0NY"
    assert cityhall_main(["enroll", VILLAGE, f"--public-key={key}", "--db", f"sqlite:///{tmp_path / 'hub.db'}"]) == 0
    assert cityhall_main(["enroll", VILLAGE, key, "--db", f"sqlite:///{tmp_path / 'hub.db'}"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"已登记：{VILLAGE}", f"已更换公钥：{VILLAGE}"]


def _parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):  # noqa: ANN202 - a generator
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("build", [station_parser, cityhall_parser], ids=["station", "cityhall"])
def test_every_command_and_option_is_explained_in_chinese(build) -> None:  # noqa: ANN001 - a parser builder
    """Every sub-command of every level, and every option of each, has a help text, in Chinese."""
    english = []
    for path, parser in _parsers(build()):
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
                continue
            if isinstance(action, argparse._SubParsersAction):
                helps = [(f"{name}", choice.help) for name, choice in zip(action.choices, action._choices_actions)]
            else:
                helps = [("/".join(action.option_strings) or action.dest, action.help)]
            english += [f"{' '.join(path)} {name}: {text!r}" for name, text in helps if not text or not _CJK.search(text)]
    assert not english, "\n".join(english)
