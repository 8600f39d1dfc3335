"""A station's disk fills up: a clear Chinese error, non-zero exit, no traceback, no corruption, nothing lost.

The disk is a small tmpfs (shrunk to what the home uses plus a little) when this process
may mount one; otherwise ``RLIMIT_FSIZE`` caps the size of any file the command writes.
"""
from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.demo import DEMO_TOPOLOGY_FILE, VILLAGE
from tests.reliability.sites import integrity, intake_command, make_home, station_env, stored_case_numbers

MAX_INTAKES = 400


@contextmanager
def small_disk(folder: Path) -> Iterator[Callable[[int], None] | None]:
    """Yields ``resize(bytes)`` on a mounted tmpfs, or None when mounting is not allowed here."""
    folder.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)], capture_output=True).returncode == 0

    def resize(size: int) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(folder)], check=True, capture_output=True)

    try:
        yield resize if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def used_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def file_size_cap(limit: int) -> Callable[[], None]:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the cap fails with EFBIG, not a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_disk_gives_a_clear_error_and_keeps_every_saved_case(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as resize:
        home, _ = make_home(tmp_path / "disk", VILLAGE, DEMO_TOPOLOGY_FILE)
        limit = used_bytes(home.root) + 200 * 1024
        if resize:
            resize(limit)
        preexec = None if resize else file_size_cap(home.database.stat().st_size + 200 * 1024)
        saved: set[str] = set()
        for _ in range(MAX_INTAKES):
            done = subprocess.run(intake_command(home), capture_output=True, text=True, env=station_env(),
                                  preexec_fn=preexec, timeout=60)
            if done.returncode != 0:
                break
            saved.add(json.loads(done.stdout)["case_no"])
        assert done.returncode == 6, f"the disk never filled up: {done.stderr}"
        assert "Traceback" not in done.stderr and any("\u4e00" <= ch <= "\u9fff" for ch in done.stderr), done.stderr
        assert saved, done.stderr
        assert integrity(home) == "ok"
        assert saved <= stored_case_numbers(home)
        if resize:
            resize(64 * 1024 * 1024)
            again = subprocess.run(intake_command(home), capture_output=True, text=True, env=station_env(), timeout=60)
            assert again.returncode == 0, again.stderr
