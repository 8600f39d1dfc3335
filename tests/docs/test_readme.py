"""The README names every command of ``station`` and ``cityhall``, and its two commands exist."""
from __future__ import annotations

from pathlib import Path

from station.cli.parser import build_parser

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _subcommands(parser) -> list[str]:  # noqa: ANN001 - argparse internals
    actions = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    return sorted(actions[0].choices) if actions else []


def test_every_station_command_is_in_the_readme() -> None:
    missing = [name for name in _subcommands(build_parser()) if f"`station {name}" not in README]
    assert missing == []


def test_every_cityhall_command_is_in_the_readme() -> None:
    from cityhall.cli import build_parser as cityhall_parser

    missing = [name for name in _subcommands(cityhall_parser()) if f"`cityhall {name}" not in README]
    assert missing == []


def test_the_two_readme_commands_exist_and_ci_runs_the_test_one() -> None:
    for script in ("scripts/run-station.sh", "scripts/test.sh"):
        assert f"bash {script}" in README and (ROOT / script).is_file()
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
