"""A short run of bench/bench_vs_peer.py: both sides move the same events on loopback and through the link.

It checks the machinery (the peer installs and replicates, the station drains, the link
counts bytes, every ratio is printed), not the timing: the budgets hold for 10,000 events.
Skipped only where Node is missing.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "bench_vs_peer.py"

pytestmark = pytest.mark.skipif(not (shutil.which("node") and shutil.which("npm")), reason="Node.js is not installed")


def test_both_sides_move_the_same_events_and_every_ratio_is_printed() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--events", "120", "--rounds", "1", "--kbit", "512",
                             "--delay-ms", "10"], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for budget in ("budget ≥ 5×", "budget ≤ 1.5×", "budget ≤ 1.25×", "budget ≥ 15×"):
        assert budget in out, out
    ours_bytes, peer_bytes = (int(n.replace(",", "")) for n in re.search(
        r"bytes up: this project ([\d,]+) .*peer ([\d,]+)", out).groups())
    assert 0 < ours_bytes < peer_bytes, out  # both really went through the link; ours is the frugal one
    gzip_ratio = float(re.search(r"one stream: .*ratio ([\d.]+)×", out).group(1))
    assert gzip_ratio < 1.5, out
