"""The README's "Running a city hall" names every command and setting a city needs."""
from __future__ import annotations

from tests.support.demo import ROOT

NEEDED = ["cityhall serve", "--workers", "cityhall enroll", "cityhall verify", "CITYHALL_DB", "postgresql://",
          "client_max_body_size", "proxy_pass", "pg_dump", ".backup", "/metrics", "cityhall_station_chain_status",
          "bench/bench_load.py", "bench/bench_faults.py"]


def test_the_city_hall_section_is_last_and_complete() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running a city hall", 1)[1]
    assert "\n## " not in section, "the city hall section should be the README's last"
    missing = [word for word in NEEDED if word not in section]
    assert not missing, f"README 'Running a city hall' does not mention {missing}"


def test_every_cityhall_command_the_readme_names_exists() -> None:
    from cityhall.cli import build_parser
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"serve", "enroll", "verify"} <= set(commands)
