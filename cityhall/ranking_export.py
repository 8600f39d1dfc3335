"""The station ranking as XLSX (rates formatted as percentages) and CSV (UTF-8 with a BOM)."""
from __future__ import annotations

import csv
import io
from typing import Any

from station.reports import Period

from .citywide import RANKING_COLUMNS, RATE_COLUMNS, RankingRow

__all__ = ["ranking_xlsx", "ranking_csv", "ranking_file_stem"]


def ranking_file_stem(period: Period) -> str:
    return f"station-ranking-{period.start.isoformat()}-{period.end.isoformat()}"


def _cells(row: RankingRow) -> list[Any]:
    values = row.as_dict()
    return [values[key] for key, _ in RANKING_COLUMNS]


def ranking_xlsx(rows: list[RankingRow], period: Period, title: str) -> bytes:
    from openpyxl import Workbook  # loaded only when a workbook is asked for

    book = Workbook()
    sheet = book.active
    sheet.title = "站点排名"
    sheet.append([f"{title}  {period.start} 至 {period.end}"])
    sheet.append([label for _, label in RANKING_COLUMNS])
    for row in rows:
        sheet.append(_cells(row))
        for column, (key, _) in enumerate(RANKING_COLUMNS, start=1):
            if key in RATE_COLUMNS and getattr(row, key) is not None:
                sheet.cell(row=sheet.max_row, column=column).number_format = "0.0%"
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 28
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ranking_csv(rows: list[RankingRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in RANKING_COLUMNS])
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in _cells(row)])
    return out.getvalue().encode("utf-8-sig")
