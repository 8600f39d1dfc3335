"""A short run of bench/bench_attachments.py: the script works, and events go before files."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "bench_attachments.py"


def test_attachment_bench_reports_ratio_and_event_order() -> None:
    # bilevel pages are some 20 KB each: at 0.5 Mbit/s the link, not each file's round trips, sets the time
    result = subprocess.run([sys.executable, str(SCRIPT), "--megabytes", "0.1", "--bandwidth-bps", "500000",
                             "--rtt-ms", "20", "--json"], capture_output=True, text=True, timeout=120, check=True)
    figures = json.loads(result.stdout)
    assert figures["files"] >= 1 and figures["wire_bytes"] >= 100 * 1024
    assert figures["events_before_first_file"] is True
    assert figures["bytes_on_wire_up"] >= figures["wire_bytes"]
    assert 0.8 < figures["ratio"] < 3.0
