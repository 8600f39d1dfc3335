"""A short run of bench/bench_restore.py: restore and backup run through and their figures are printed."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "bench_restore.py"


def test_restore_bench_prints_figures_against_the_sync_baseline() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--cases", "5", "--json"],
                            capture_output=True, text=True, timeout=300, check=True)
    figures = json.loads(result.stdout)
    assert (figures["cases"], figures["events"]) == (5, 10)
    assert figures["restore_s"] > 0 and figures["sync_s"] > 0 and figures["restore_vs_sync"] > 0
    assert figures["backup_bytes"] > 0 and figures["restore_from_backup_s"] > 0
