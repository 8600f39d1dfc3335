"""Receipts: the tracking URL, its QR code, and the receipt as text or PNG.

Receipts are drawn from a plain :class:`ReceiptData` that the caller fills (and masks);
this package reads no store and no ledger.

The drawing modules (qrcode, Pillow) load on first use, not at import: the station
command and the terminal app start without them.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from station.receipts.data import ReceiptData
from station.receipts.fonts import NoCJKFont, find_cjk_font
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

_LAZY = {"QRMatrix": "qr", "qr_matrix": "qr", "render_png": "png", "render_text": "text",
         "render_columns": "text"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"station.receipts.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'station.receipts' has no attribute {name!r}")
