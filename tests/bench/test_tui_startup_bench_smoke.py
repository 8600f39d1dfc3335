"""A short run of bench_tui_startup.py: both apps start, and every figure with its baseline is printed."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_the_app_start_is_timed_against_a_minimal_textual_app() -> None:
    done = subprocess.run([sys.executable, str(BENCH / "bench_tui_startup.py"), "--cases", "30", "--runs", "1"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert re.search(r"^minimal Textual app to first screen : +\d+ ms", out, re.M), out
    assert re.search(r"^station app to a usable Today board : +\d+ ms", out, re.M), out
    assert re.search(r"left out: .* scrypt .*: \d+ ms; with it \d+ ms", out), out
    assert re.search(r"^ratio +: +[\d.]+ x +\(budget 1\.20", out, re.M), out
