"""Receipts: the tracking URL, its QR code, and the receipt as text or PNG.

Receipts are drawn from a plain :class:`ReceiptData` that the caller fills (and masks);
this package reads no store and no ledger.

The drawing modules (qrcode, Pillow) load on first use, not at import: the station
command and the terminal app start without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from forms.lazy_names import lazy_getattr

if TYPE_CHECKING:  # for the type checker the names are there; at run time __getattr__ loads each one's module
    from station.receipts.data import ReceiptData
    from station.receipts.fonts import NoCJKFont, find_cjk_font
    from station.receipts.png import render_png
    from station.receipts.qr import QRMatrix, qr_matrix
    from station.receipts.text import render_columns, render_text
    from station.receipts.tokens import new_token, token_hash, tracking_url

__all__ = [
    "NoCJKFont",
    "QRMatrix",
    "ReceiptData",
    "find_cjk_font",
    "new_token",
    "qr_matrix",
    "render_png",
    "render_columns",
    "render_text",
    "token_hash",
    "tracking_url",
]

__getattr__ = lazy_getattr(__name__, globals(), {
    "data": ("ReceiptData",), "fonts": ("NoCJKFont", "find_cjk_font"), "png": ("render_png",),
    "qr": ("QRMatrix", "qr_matrix"), "text": ("render_columns", "render_text"),
    "tokens": ("new_token", "token_hash", "tracking_url"),
})
"""Each name loads its own module on first use: a tracking URL needs neither the receipt's
data type nor the fonts, and the drawing modules (qrcode, Pillow) load only to draw."""
