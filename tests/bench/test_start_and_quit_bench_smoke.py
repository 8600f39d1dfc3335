"""Short runs of bench_cli_start.py and bench_tui_quit.py: the machinery works and prints its figures.

Timing is the benchmarks' business; these check that every figure and its baseline is
printed, that a read-only command imports none of the heavy packages, and that the app
quits with a sync request hanging on a dead hub.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_read_only_commands_are_timed_against_python_and_load_nothing_heavy() -> None:
    out = _run("bench_cli_start.py", "--rounds", "1", "--cases", "1")
    assert "baseline python -c pass: median" in out
    assert len(re.findall(r"^station (items|cases|case): median \d+ ms .* ratio [\d.]+×", out, re.M)) == 3, out
    heavy = re.search(r"^heavy packages a read-only command imported: items (.*); cases (.*); case (.*)$", out, re.M)
    assert heavy is not None, out
    assert heavy.group(1) == "none", out  # the catalogue needs no store, key or drawing code
    assert {heavy.group(2), heavy.group(3)} <= {"none", "cryptography"}, out  # AES-GCM opens the PIN's wrap
    assert re.search(r"^scrypt of the PIN \(n=16384, r=8, p=1\) alone: median \d+ ms .* over the baseline", out, re.M), out
    split = re.search(r"^station cases through the wrapper: median (\d+) ms .* with the scrypt from memory: "
                      r"median (\d+) ms .* scrypt's share -?\d+ ms", out, re.M)
    assert split is not None, out
    assert re.search(r"^station cases with the scrypt in line \(not started ahead\): median \d+ ms .* "
                     r"starting it ahead saves -?\d+ ms$", out, re.M), out


def test_quit_with_a_hanging_hub_returns_to_the_shell() -> None:
    out = _run("bench_tui_quit.py", "--rounds", "1")
    seconds = float(re.search(r"sync in flight: median ([\d.]+) s", out).group(1))
    assert 0 < seconds < 5, out  # a tripwire for a quit that waits on the network (it used to take 2-5 s)
    assert "baseline" in out
