"""Case numbers: station code + date + daily serial + MOD 11-2 check character.

``420115102203`` ``20261122`` ``0007`` ``5`` — 25 characters, made at the station with
no coordination, shown grouped as ``420115102203-20261122-0007-5``.
"""
from __future__ import annotations

import functools
import re
from datetime import date

from forms.checksums import mod11_2_check_char

__all__ = ["InvalidCaseNo", "make_case_no", "normalise_case_no", "display_case_no", "case_station", "case_date"]

_SEPARATORS = re.compile(r"[\s\-_/.]")
_FULL_WIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: ord(" ")}
"""What a Chinese input method types in full-width mode (０-９, Ｘ, －, the ideographic space)."""
_ASCII_DIGITS = frozenset("0123456789")
_LONGEST_TYPED = 64
"""Longer text is no case number however it is grouped; it is refused before any work (and not cached)."""


class InvalidCaseNo(ValueError):
    """Text that is not a well-formed case number; the message says why, in Chinese."""


def make_case_no(station_code: str, day: date, serial: int) -> str:
    if not (len(station_code) == 12 and station_code.isdigit()):
        raise ValueError(f"station code must be 12 digits: {station_code!r}")
    if not 1 <= serial <= 9999:
        raise ValueError(f"daily serial out of range 1-9999: {serial}")
    digits = f"{station_code}{day:%Y%m%d}{serial:04d}"
    return digits + mod11_2_check_char(digits)


def normalise_case_no(text: str) -> str:
    """Accept a case number with or without separators, in full-width or ASCII digits; return the 25-character form.

    Only ASCII digits count once full-width forms are mapped: ``str.isdigit`` also takes
    Arabic-Indic, Devanagari or superscript digits, which no receipt carries.
    """
    if not isinstance(text, str) or len(text) > _LONGEST_TYPED:
        raise InvalidCaseNo(f"案件编号“{_shown(text)}”格式不对：{_SHAPE}")
    return _normalise(text)


_SHAPE = "应为 25 位（12 位站点代码 + 8 位日期 + 4 位序号 + 1 位校验码）"


@functools.lru_cache(maxsize=4096)
def _normalise(text: str) -> str:
    """Cached: the hub checks every incoming event's case number, and a case's events arrive together."""
    compact = _SEPARATORS.sub("", text.translate(_FULL_WIDTH_TO_ASCII)).upper()
    if len(compact) != 25 or not _ASCII_DIGITS.issuperset(compact[:24]) or compact[24] not in "0123456789X":
        raise InvalidCaseNo(f"案件编号“{_shown(text)}”格式不对：{_SHAPE}")
    expected = mod11_2_check_char(compact[:24])
    if compact[24] != expected:
        raise InvalidCaseNo(f"案件编号“{_shown(text)}”校验码不对，请核对回执上的编号")
    return compact


def _shown(text: object) -> str:
    """The text as a message may quote it: short, printable, and encodable (no lone surrogates)."""
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in str(text or "")[:_LONGEST_TYPED])
    return escaped[:40] + ("…" if len(escaped) > 40 or len(str(text or "")) > _LONGEST_TYPED else "")


def display_case_no(case_no: str) -> str:
    return f"{case_no[:12]}-{case_no[12:20]}-{case_no[20:24]}-{case_no[24]}"


def case_station(case_no: str) -> str:
    return case_no[:12]


def case_date(case_no: str) -> date:
    return date(int(case_no[12:16]), int(case_no[16:18]), int(case_no[18:20]))
