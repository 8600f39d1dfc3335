from __future__ import annotations

from dataclasses import replace

import zxingcpp
from rich.cells import cell_len

from station.receipts import ReceiptData, qr_matrix, render_columns, render_text
from station.receipts.text import COLUMN_CELLS, GUTTER

from .test_receipts_text import BACKGROUND, FOREGROUND, rasterise


def code_column(text: str, size: int) -> list[str]:
    start = COLUMN_CELLS + len(GUTTER)
    rows = []
    for line in text.splitlines():
        cells, taken = 0, ""
        for char in line:
            if cells >= start:
                taken += char
            cells += cell_len(char)
        rows.append(taken.ljust(size))
    return rows[:(size + 1) // 2]


def test_the_code_is_in_the_first_rows_beside_the_details_and_scans(receipt: ReceiptData) -> None:
    text = render_columns(receipt)
    size = qr_matrix(receipt.tracking_url).size
    found = zxingcpp.read_barcodes(rasterise(code_column(text, size), FOREGROUND, BACKGROUND), try_invert=False)
    assert [b.text for b in found] == [receipt.tracking_url]
    assert all(cell_len(line) <= 78 for line in text.splitlines())
    assert text.splitlines()[2].startswith("受理编号")
    joined = "".join(text.split())
    for part in ("残疾人两项补贴", "最低生活保障证明", "请妥善保管本回执"):
        assert part in joined


def test_a_code_too_wide_for_a_column_falls_back_to_the_full_width_receipt(receipt: ReceiptData) -> None:
    long = replace(receipt, tracking_url=receipt.tracking_url + "X" * 120)
    assert qr_matrix(long.tracking_url).size > 78 - COLUMN_CELLS - 1
    assert render_columns(long) == render_text(long)
