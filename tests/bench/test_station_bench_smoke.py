"""A short run of bench/bench_station.py: the script works and its figures are printed."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "bench_station.py"


def test_station_bench_prints_figures_against_baselines() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--citizens", "5000", "--intakes", "10", "--lookups", "200"],
                            capture_output=True, text=True, timeout=300, check=True)
    lines = {line.split(":")[0]: line for line in result.stdout.splitlines() if "median" in line}
    assert set(lines) == {"intake → durable case + receipt PNG", "citizen lookup by ID number",
                          "citizen lookup by pinyin initials"}
    lookup_ms = float(re.search(r"median ([\d.]+) ms", lines["citizen lookup by ID number"]).group(1))
    assert lookup_ms < 1.0
    assert all("baseline" in line and "ratio" in line for line in lines.values())
