"""The QR code of a tracking URL, as a matrix of modules.

Upper-case URLs are encoded as one alphanumeric-mode segment (5.5 bits a character
instead of 8), error correction M; L is used only when M would exceed ``max_version``.
Anything else falls back to byte mode, which still scans but is bigger.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import qrcode
from qrcode.constants import ERROR_CORRECT_L, ERROR_CORRECT_M
from qrcode.exceptions import DataOverflowError
from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, QRData

from station.receipts.tokens import QR_ALPHANUMERIC

__all__ = ["TERMINAL_BORDER", "TERMINAL_MAX_VERSION", "QRMatrix", "qr_matrix"]

TERMINAL_BORDER = 2
"""Quiet-zone modules around a terminal code; phones read 2 on a screen."""
TERMINAL_MAX_VERSION = 13
"""Version 13 is 69 modules: with the quiet zone it stays inside 78 columns."""

QRMode = Literal["alphanumeric", "byte"]
_LEVELS: tuple[tuple[Literal["M", "L"], int], ...] = (
    ("M", ERROR_CORRECT_M), ("L", ERROR_CORRECT_L))


@dataclass(frozen=True)
class QRMatrix:
    """Modules row by row, True for dark, quiet zone included."""

    modules: tuple[tuple[bool, ...], ...]
    version: int
    error_correction: Literal["M", "L"]
    mode: QRMode
    border: int

    @property
    def size(self) -> int:
        """Modules per side, quiet zone included."""
        return len(self.modules)


def qr_matrix(url: str, *, border: int = TERMINAL_BORDER,
              max_version: int = TERMINAL_MAX_VERSION) -> QRMatrix:
    """Encode ``url``; ValueError when even level L needs more than ``max_version``."""
    bare = _encode(url, max_version)
    return QRMatrix(_with_border(bare.modules, border), bare.version,
                    bare.error_correction, bare.mode, border)


@lru_cache(maxsize=64)
def _encode(url: str, max_version: int) -> QRMatrix:
    """The code without quiet zone; cached, as text and PNG receipts share a URL."""
    segment = _segment(url)
    for name, level in _LEVELS:
        code = _fit(segment, level)
        if code is not None and code.version <= max_version:
            modules = tuple(tuple(row) for row in code.get_matrix())
            return QRMatrix(modules, code.version, name, _mode_name(segment), 0)
    raise ValueError(f"{len(url)}-character URL does not fit a QR code of version "
                     f"{max_version}; shorten public_url")


def _with_border(modules: tuple[tuple[bool, ...], ...],
                 border: int) -> tuple[tuple[bool, ...], ...]:
    side = len(modules) + 2 * border
    blank = ((False,) * side,) * border
    edge = (False,) * border
    return (*blank, *((*edge, *row, *edge) for row in modules), *blank)


def _segment(data: str) -> QRData:
    if set(data) <= QR_ALPHANUMERIC:
        return QRData(data, mode=MODE_ALPHA_NUM)
    return QRData(data.encode("utf-8"), mode=MODE_8BIT_BYTE)


def _mode_name(segment: QRData) -> QRMode:
    return "alphanumeric" if segment.mode == MODE_ALPHA_NUM else "byte"


def _fit(segment: QRData, level: int) -> qrcode.QRCode | None:
    code = qrcode.QRCode(error_correction=level, border=0)
    code.add_data(segment)
    try:
        code.make(fit=True)
    except DataOverflowError:
        return None
    return code
