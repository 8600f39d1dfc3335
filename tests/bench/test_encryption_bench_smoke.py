"""A short run of bench/bench_encryption.py: intake and the app's start, encryption on and off, with their ratios."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "bench_encryption.py"


def test_encryption_bench_prints_on_off_and_the_ratio() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--intakes", "5", "--cases", "200", "--runs", "1", "--json"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout)
    for what in ("intake", "start"):
        on, off = figures[f"{what}_on_ms"], figures[f"{what}_off_ms"]
        assert on > 0 and off > 0
        assert abs(figures[f"{what}_ratio"] - on / off) < 1e-9
