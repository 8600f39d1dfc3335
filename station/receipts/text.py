"""The receipt as terminal text, QR code included, in at most 80 columns.

The QR code uses half blocks: each character cell holds two modules, one above the
other (``▀`` top, ``▄`` bottom, ``█`` both, space neither), one module per column, so
modules come out roughly square in a 1:2 terminal cell.

Polarity: a terminal paints characters in its foreground colour and leaves the rest in
its background colour. Scanners expect dark modules on a light ground, and most station
terminals are light text on a dark background, so the *light* modules and the quiet zone
are the ones drawn with blocks and the dark modules are left blank. The code then shows
as dark-on-light inside a light frame. On a light-background terminal pass
``light_terminal=True`` to draw the dark modules instead.

Widths are measured in terminal cells with :func:`rich.cells.cell_len`, so CJK and rare
characters (𠮷, two cells) are counted right.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

from station.receipts.content import (
    KEEP_HINT,
    SCAN_HINT,
    SUBTITLE,
    URL_LABEL,
    Field,
    clean,
    receipt_fields,
)
from station.receipts.data import ReceiptData
from station.receipts.linebreak import break_lines, hanging
from station.receipts.qr import QRMatrix, qr_matrix

__all__ = ["COLUMN_CELLS", "DEFAULT_WIDTH", "qr_lines", "render_columns", "render_text", "wrap_cells"]

DEFAULT_WIDTH = 78
"""Two columns short of 80, so consoles that wrap at the last column do not."""
LABEL_CELLS = 10
MIN_VALUE_CELLS = 20
COLUMN_CELLS = 38
"""The details column beside the QR code on screen (a version-4 code is 37 cells wide)."""
GUTTER = " "

_HALF_BLOCKS = {(True, True): "█", (True, False): "▀", (False, True): "▄",
                (False, False): " "}


def render_text(receipt: ReceiptData, *, width: int = DEFAULT_WIDTH,
                light_terminal: bool = False) -> str:
    """The whole receipt, each line at most ``width`` cells, ending in a newline."""
    qr = qr_matrix(receipt.tracking_url)
    _check_width(width, qr.size)
    rule = "─" * width
    lines = [
        *_centred(clean(receipt.cityhall_name), width),
        *_centred(SUBTITLE, width),
        rule,
        *_body(receipt_fields(receipt), width),
        rule,
        *_centred_block(qr_lines(qr, ink_dark=light_terminal), width),
        *wrap_cells(SCAN_HINT, width),
        *_url_lines(receipt.tracking_url, width),
        KEEP_HINT,
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def render_columns(receipt: ReceiptData, *, width: int = DEFAULT_WIDTH,
                   light_terminal: bool = False) -> str:
    """The receipt for a screen: details in a column beside the QR code, so the code
    shows in the first 19 rows of 80×24 without scrolling. Falls back to
    :func:`render_text` when the code is too wide for a column beside it."""
    qr = qr_matrix(receipt.tracking_url)
    if COLUMN_CELLS + cell_len(GUTTER) + qr.size > width:
        return render_text(receipt, width=width, light_terminal=light_terminal)
    details = [
        *wrap_cells(clean(receipt.cityhall_name), COLUMN_CELLS),
        *wrap_cells(SUBTITLE, COLUMN_CELLS),
        *_body(receipt_fields(receipt), COLUMN_CELLS),
        *wrap_cells(SCAN_HINT.replace("上方", "右侧"), COLUMN_CELLS),
        *_url_lines(receipt.tracking_url, COLUMN_CELLS),
        KEEP_HINT,
    ]
    code = qr_lines(qr, ink_dark=light_terminal)
    rows = max(len(details), len(code))
    details += [""] * (rows - len(details))
    code += [""] * (rows - len(code))
    return "\n".join((_pad(left, COLUMN_CELLS) + GUTTER + right).rstrip()
                     for left, right in zip(details, code, strict=True)) + "\n"


def _pad(line: str, cells: int) -> str:
    return line + " " * (cells - cell_len(line))


def qr_lines(qr: QRMatrix, *, ink_dark: bool = False) -> list[str]:
    """Half-block rows; ``ink_dark`` draws dark modules, else light ones (see above)."""
    rows = list(qr.modules)
    if len(rows) % 2:
        rows.append((False,) * qr.size)  # one more row of quiet zone
    inked = [[dark == ink_dark for dark in row] for row in rows]
    return ["".join(_HALF_BLOCKS[pair] for pair in zip(top, bottom, strict=True))
            for top, bottom in zip(inked[::2], inked[1::2], strict=True)]


def wrap_cells(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` terminal cells."""
    return break_lines(text, width, cell_len)


def _check_width(width: int, qr_size: int) -> None:
    needed = max(qr_size, LABEL_CELLS + MIN_VALUE_CELLS)
    if width < needed:
        raise ValueError(f"receipt needs at least {needed} columns, got {width}")


def _centred(text: str, width: int) -> list[str]:
    return [_centre(line, width) for line in wrap_cells(text, width)]


def _centre(line: str, width: int) -> str:
    return " " * ((width - cell_len(line)) // 2) + line


def _centred_block(lines: list[str], width: int) -> list[str]:
    indent = " " * ((width - max(cell_len(line) for line in lines)) // 2)
    return [indent + line for line in lines]


def _body(fields: list[Field], width: int) -> list[str]:
    return [line for field in fields for line in _field_lines(field, width)]


def _field_lines(field: Field, width: int) -> list[str]:
    wrapped = [" " * int(indent) + line for value in field.values
               for indent, line in hanging(value, width - LABEL_CELLS, cell_len)]
    label = field.label + " " * (LABEL_CELLS - cell_len(field.label))
    return [(label if i == 0 else " " * LABEL_CELLS) + line
            for i, line in enumerate(wrapped)]


def _url_lines(url: str, width: int) -> list[str]:
    """The URL after its label, broken only after a ``/`` when it must be broken."""
    if cell_len(URL_LABEL + url) <= width:
        return [URL_LABEL + url]
    lines = [URL_LABEL, ""]
    for segment in re.findall(r"[^/]*/|[^/]+", url):
        if lines[-1] and cell_len(lines[-1] + segment) > width:
            lines.append("")
        lines[-1] += segment
    return [piece for line in lines for piece in wrap_cells(line, width)]
