"""``station attach`` / ``station attachments`` as a script calls them (DESIGN §7)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.demo import DEMO_TOPOLOGY_FILE, VILLAGE
from tests.station.test_cli import intake_args

from .scans import tiny_pdf

STATION = shutil.which("station", path=str(Path(sys.executable).parent)) or "station"


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"STATION_HOME": str(home), "STATION_PIN": "1234"}
    return subprocess.run([STATION, *args], capture_output=True, text=True, env=env, timeout=60)


def test_attach_then_list_with_paths_and_usage(tmp_path: Path, scan_dir: Path) -> None:
    home = tmp_path / "village"
    assert run(home, "init", "--station", VILLAGE, "--config", str(DEMO_TOPOLOGY_FILE)).returncode == 0
    assert run(home, "agent", "add", "--id", "A01", "--name", "王小丽", "--role", "agent").returncode == 0
    case_no = json.loads(run(home, *intake_args(), "--json").stdout)["case_no"]
    pdf = tmp_path / "委托书.pdf"
    pdf.write_bytes(tiny_pdf())

    attached = run(home, "attach", case_no, "authorisation", str(pdf), str(scan_dir / "户口本.jpg"),
                   "--agent", "A01", "--json")
    assert attached.returncode == 0, attached.stderr
    listing = json.loads(run(home, "attachments", case_no, "--json").stdout)
    rows = listing["attachments"]
    assert [r["type"] for r in rows] == ["application/pdf", "image/png"]  # the scanned page travels bilevel
    assert {"material", "sha256", "size", "type", "path"} <= set(rows[0])
    assert Path(rows[0]["path"]).read_bytes() == pdf.read_bytes()
    assert listing["usage"]["pending_upload_files"] == 2 and listing["usage"]["used_bytes"] > 0

    refused = run(home, "attach", case_no, "nonsense", str(tmp_path / "nothing.jpg"), "--agent", "A01")
    assert refused.returncode == 2 and "nonsense" in refused.stderr and "不存在" in refused.stderr
    assert "Traceback" not in refused.stderr
    unknown = run(home, "attachments", "420115102203-20261122-0099-0", "--json")
    assert unknown.returncode in (2, 3) and unknown.stdout == ""
