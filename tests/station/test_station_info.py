"""A station can say what it is at any time, and the city hall enrols every key it prints.

Run as an agent or an administrator would: the installed commands in their own processes.
"""
from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.support.demo import DEMO_TOPOLOGY_FILE, VILLAGE

BIN = Path(sys.executable).parent
STATION, CITYHALL = str(BIN / "station"), str(BIN / "cityhall")


def run(command: str, *args: str, home: Path | None = None, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "STATION_CITYHALL_URL"} | (env or {})
    if home is not None:
        environment["STATION_HOME"] = str(home)
    return subprocess.run([command, *args], capture_output=True, text=True, env=environment, cwd=cwd, timeout=60)


def test_info_shows_code_level_key_and_hub_long_after_init(tmp_path: Path) -> None:
    home = tmp_path / "village"
    made = json.loads(run(STATION, "init", "--station", VILLAGE, "--config", str(DEMO_TOPOLOGY_FILE), "--json",
                          home=home).stdout)

    info = run(STATION, "info", "--json", home=home)
    text = run(STATION, "info", home=home)

    assert info.returncode == 0 and text.returncode == 0
    shown = json.loads(info.stdout)
    assert shown["public_key"] == made["public_key"]
    assert (shown["station"], shown["level"], shown["hub_url"]) == (VILLAGE, "village", "http://127.0.0.1:8700")
    assert shown["hub_url_source"] == "stations.toml" and shown["topology_file"] == str(home / "stations.toml")
    assert made["public_key"] in text.stdout and "村（社区）" in text.stdout and "同步地址：http://127.0.0.1:8700" in text.stdout
    assert f"cityhall enroll {VILLAGE} --public-key={made['public_key']}" in text.stdout


def test_info_says_when_the_environment_overrides_the_address(tmp_path: Path) -> None:
    home = tmp_path / "village"
    run(STATION, "init", "--station", VILLAGE, "--config", str(DEMO_TOPOLOGY_FILE), home=home)
    shown = json.loads(run(STATION, "info", "--json", home=home,
                           env={"STATION_CITYHALL_URL": "http://10.0.0.9:8700/"}).stdout)
    assert (shown["hub_url"], shown["hub_url_source"]) == ("http://10.0.0.9:8700", "env")


def test_info_on_a_folder_that_is_no_station_is_not_found(tmp_path: Path) -> None:
    result = run(STATION, "info", home=tmp_path / "nothing")
    assert result.returncode == 3 and "station init" in result.stderr and "Traceback" not in result.stderr


def test_init_prints_an_enrol_line_that_is_safe_to_paste(tmp_path: Path) -> None:
    home = tmp_path / "village"
    result = run(STATION, "init", "--station", VILLAGE, "--config", str(DEMO_TOPOLOGY_FILE), home=home)
    key = json.loads(run(STATION, "info", "--json", home=home).stdout)["public_key"]
    assert f"cityhall enroll {VILLAGE} --public-key={key}" in result.stdout
    assert "station info" in result.stdout


def _key_beginning_with_dash() -> str:
    while True:
        raw = Ed25519PrivateKey.generate().public_key().public_bytes(serialization.Encoding.Raw,
                                                                    serialization.PublicFormat.Raw)
        text = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        if text.startswith("-"):
            return text


def _enrolled_key(db: Path, code: str) -> str | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT public_key FROM stations WHERE code = ?", (code,)).fetchone()
    return row[0] if row else None


def test_enroll_takes_a_key_that_begins_with_a_dash_in_every_form(tmp_path: Path) -> None:
    key = _key_beginning_with_dash()
    db = tmp_path / "hub.db"
    forms = [("enroll", VILLAGE, key, "--db", f"sqlite:///{db}"),
             ("enroll", VILLAGE, "--db", f"sqlite:///{db}", key),
             ("enroll", VILLAGE, f"--public-key={key}", "--db", f"sqlite:///{db}")]
    for args in forms:
        result = run(CITYHALL, *args, cwd=tmp_path)
        assert result.returncode == 0, (args, result.stderr)
        assert _enrolled_key(db, VILLAGE) == key


def test_enroll_without_a_key_or_with_a_bad_code_lists_both_problems(tmp_path: Path) -> None:
    result = run(CITYHALL, "enroll", "4201", "--db", f"sqlite:///{tmp_path / 'hub.db'}", cwd=tmp_path)
    assert result.returncode == 2
    assert "12" in result.stderr and "--public-key=" in result.stderr and "Traceback" not in result.stderr
