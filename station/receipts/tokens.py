"""Tracking URLs and their tokens (DESIGN §6).

The URL is ``{public_url}/T/{CASE_NO}/{TOKEN}`` in upper case, so that the QR code can
use alphanumeric mode: a smaller code that fits a terminal and a 58 mm thermal printer.
The hub stores only :func:`token_hash` of the token.
"""

from __future__ import annotations

import base64
import hashlib
import re

__all__ = [
    "QR_ALPHANUMERIC",
    "TOKEN_ALPHABET",
    "TOKEN_BITS",
    "TOKEN_LENGTH",
    "new_token",
    "normalise_case_no",
    "token_hash",
    "tracking_url",
]

QR_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
"""The characters a QR code's alphanumeric mode can carry."""
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
"""RFC 4648 base32."""
TOKEN_BITS = 80
TOKEN_LENGTH = TOKEN_BITS // 5

_CASE_NO = re.compile(r"^\d{24}[\dX]$")
_TOKEN = re.compile(f"^[{TOKEN_ALPHABET}]{{{TOKEN_LENGTH}}}$")


def new_token() -> str:
    """A fresh 16-character base32 token carrying 80 random bits."""
    import secrets  # (random) only to file a case: showing one needs none

    return base64.b32encode(secrets.token_bytes(TOKEN_BITS // 8)).decode("ascii")


def token_hash(token: str) -> str:
    """SHA-256 hex of the upper-cased token: what the hub stores and compares."""
    return hashlib.sha256(token.upper().encode("utf-8")).hexdigest()


def normalise_case_no(case_no: str) -> str:
    """The 25-character case number, with separators removed; ValueError if malformed."""
    compact = case_no.replace("-", "").replace(" ", "").upper()
    if not _CASE_NO.match(compact):
        raise ValueError(f"case number {case_no!r} must be 24 digits and a check "
                         "character (0-9 or X)")
    return compact


def tracking_url(public_url: str, case_no: str, token: str) -> str:
    """``{public_url}/T/{CASE_NO}/{TOKEN}``, upper-cased, without a doubled slash."""
    base = public_url.strip().rstrip("/")
    if not base:
        raise ValueError("public_url is empty: set [cityhall] public_url in stations.toml")
    upper_token = token.upper()
    if not _TOKEN.match(upper_token):
        raise ValueError(f"token {token!r} must be {TOKEN_LENGTH} base32 characters")
    url = f"{base}/T/{normalise_case_no(case_no)}/{upper_token}".upper()
    _check_alphanumeric(url, public_url)
    return url


def _check_alphanumeric(url: str, public_url: str) -> None:
    bad = sorted(set(url) - QR_ALPHANUMERIC)
    if bad:
        raise ValueError(
            f"public_url {public_url!r} contains {''.join(bad)!r}, which a QR code's "
            "alphanumeric mode cannot carry: use only letters, digits and - . / : %")
