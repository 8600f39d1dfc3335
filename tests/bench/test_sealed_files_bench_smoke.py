"""A short run of bench/bench_sealed_files.py: a scan written and read sealed and plain, with the ratios."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "bench_sealed_files.py"


def test_sealed_files_bench_prints_both_ways_and_the_ratios() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--megabytes", "0.2", "--runs", "3", "--json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout)
    assert all(figures[key] > 0 for key in ("sealed_write_ms", "plain_write_ms", "sealed_read_ms"))
    assert abs(figures["write_ratio"] - figures["sealed_write_ms"] / figures["plain_write_ms"]) < 0.01
