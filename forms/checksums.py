"""Check characters of the national identifier standards.

- ISO 7064 MOD 11-2, used by the resident ID number (GB 11643) over 17 digits and by the
  case number over 24 digits, so it works for any number of digits.
- GB 32100 MOD 31, used by the unified social credit code (USCC).
"""

from __future__ import annotations

__all__ = [
    "USCC_ALPHABET",
    "mod11_2_check_char",
    "uscc_check_char",
]

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a USCC may use (no I, O, S, V, Z)."""

_MOD11_2_CHARS = "0123456789X"
_USCC_VALUES = {char: value for value, char in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def mod11_2_check_char(digits: str) -> str:
    """ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') over ASCII digits.

    The pure recursive form, valid for any length: for 17 digits it equals the
    GB 11643 weighted sum with weights 2^(18-i) mod 11.
    """
    if not digits or not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"MOD 11-2 needs ASCII digits, got {digits!r}")
    total = 0
    for char in digits:
        total = ((total + ord(char) - 48) * 2) % 11
    return _MOD11_2_CHARS[(12 - total) % 11]


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character of the first 17 characters of a USCC."""
    if len(first17) != 17:
        raise ValueError(f"USCC check needs 17 characters, got {len(first17)}")
    try:
        values = [_USCC_VALUES[char] for char in first17]
    except KeyError as error:
        raise ValueError(f"{error.args[0]!r} is not a USCC character") from None
    total = sum(value * weight for value, weight in zip(values, _USCC_WEIGHTS, strict=False))
    return USCC_ALPHABET[(31 - total % 31) % 31]
