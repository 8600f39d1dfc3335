"""The README's hub walk-through works as written against the demo home of run-station.sh,
and run-station.sh sets up once and starts without reinstalling afterwards.

The script runs in a copy of the project's top folder whose ``.venv`` points at this test's
interpreter, so nothing here writes into the checkout or reinstalls anything.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.hubproc import free_port

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def _project_copy(tmp_path: Path, port: int) -> Path:
    """scripts/, pyproject.toml and stations.toml (its hub address on ``port``); .venv/bin links here."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "scripts", copy / "scripts")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    topology = (ROOT / "stations.toml").read_text(encoding="utf-8").replace("127.0.0.1:8700", f"127.0.0.1:{port}")
    (copy / "stations.toml").write_text(topology, encoding="utf-8")
    (copy / ".venv" / "bin").mkdir(parents=True)
    for name in ("python", "station", "cityhall"):
        (copy / ".venv" / "bin" / name).symlink_to(BIN / name)
    return copy


def _stamp(copy: Path) -> None:
    """What a finished set-up leaves: the fingerprint of the pyproject.toml it installed."""
    digest = hashlib.sha256((copy / "pyproject.toml").read_bytes()).hexdigest()
    (copy / ".venv" / ".setup-stamp").write_text(digest + "\n", encoding="utf-8")


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("STATION_HOME", "STATION_CITYHALL_URL", "CITYHALL_DB")}
    return env | extra


def _walkthrough_lines() -> list[str]:
    """The indented block after "To sync the demo village" in the README."""
    start = README.index("To sync the demo village")
    block = README[start:].split("\n\n", 2)[1]
    return [line.strip() for line in block.splitlines() if line.strip()]


def test_the_readme_walkthrough_enrols_and_syncs_the_demo_home(tmp_path: Path) -> None:
    port = free_port()
    copy = _project_copy(tmp_path, port)
    _stamp(copy)
    env = _clean_env(PATH=f"{copy / '.venv' / 'bin'}:{os.environ['PATH']}")
    hub: subprocess.Popen[bytes] | None = None
    key = ""
    try:
        for line in _walkthrough_lines():
            command = line.split("   #")[0].split("  #")[0].strip()
            if command.startswith("export "):
                for assignment in shlex.split(command)[1:]:
                    name, value = assignment.split("=", 1)
                    env[name] = value.replace("$PWD", str(copy)).replace("$PATH", env["PATH"])
                continue
            if command.startswith("cityhall serve"):
                assert command.endswith("&") and "--port 8700" in command
                args = shlex.split(command.rstrip("&").replace("--port 8700", f"--port {port}"))
                hub = subprocess.Popen(args, cwd=copy, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True)
                _wait_healthy(port)
                continue
            if "KEY" in command:
                assert key, "the walk-through must show the key before it is used"
                command = command.replace("KEY", key)
            result = subprocess.run(command, shell=True, cwd=copy, env=env, capture_output=True, text=True,
                                    timeout=120)
            assert result.returncode == 0, (command, result.stdout, result.stderr)
            found = re.search(r"公钥：(\S+)", result.stdout)
            key = found.group(1) if found else key
        assert (copy / "demo-station" / "station.toml").is_file()
        synced = subprocess.run([str(BIN / "station"), "sync", "--json"], cwd=copy, env=env, capture_output=True,
                                text=True, timeout=60)
        assert synced.returncode == 0, synced.stderr
        assert json.loads(synced.stdout)["pending"] == 0  # the demo cases went up in the README's own sync
    finally:
        if hub is not None:
            hub.terminate()
            hub.wait(timeout=10)


def _wait_healthy(port: int, wait_s: float = 30.0) -> None:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"the city hall did not answer on port {port}")


def _fake_setup(copy: Path) -> Path:
    """Stands in for scripts/setup.sh (apt and pip are not for a test): records each run."""
    runs = copy / "setup-runs"
    (copy / "scripts" / "setup.sh").write_text(f'#!/usr/bin/env bash\necho run >> "{runs}"\n', encoding="utf-8")
    return runs


def test_run_station_sets_up_once_then_again_only_when_pyproject_changes(tmp_path: Path) -> None:
    copy = _project_copy(tmp_path, free_port())
    runs = _fake_setup(copy)
    env = _clean_env()

    def start() -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "scripts/run-station.sh", "--setup"], cwd=copy, env=env, capture_output=True,
                              text=True, timeout=120)

    first, second = start(), start()
    assert first.returncode == 0 and second.returncode == 0, (first.stderr, second.stderr)
    assert runs.read_text().split() == ["run"]
    assert "公钥：" in first.stdout and "公钥：" in second.stdout  # the key is there on every start, not only the first
    with (copy / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write("\n# a new dependency would change this file\n")
    assert start().returncode == 0
    assert runs.read_text().split() == ["run", "run"]
