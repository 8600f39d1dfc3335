"""The documents, reports and watch load no UI, and the PDF stack only when a PDF is made."""
from __future__ import annotations

import subprocess
import sys


def test_no_textual_and_no_fpdf_until_asked() -> None:
    code = ("import sys, station.documents, station.reports, station.supervision, station.cli.documents; "
            "print(sorted(m for m in ('textual', 'fpdf', 'openpyxl') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
