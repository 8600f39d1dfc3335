"""Receipts: the tracking URL, its QR code, and the receipt as text or PNG.

Receipts are drawn from a plain :class:`ReceiptData` that the caller fills (and masks);
this package reads no store and no ledger.
"""

from __future__ import annotations

from station.receipts.data import ReceiptData
from station.receipts.fonts import NoCJKFont, find_cjk_font
from station.receipts.png import render_png
from station.receipts.qr import QRMatrix, qr_matrix
from station.receipts.text import render_text
from station.receipts.tracking import new_token, token_hash, tracking_url

__all__ = [
    "NoCJKFont",
    "QRMatrix",
    "ReceiptData",
    "find_cjk_font",
    "new_token",
    "qr_matrix",
    "render_png",
    "render_text",
    "token_hash",
    "tracking_url",
]
