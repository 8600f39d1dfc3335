"""Operator PINs: salted scrypt hashes and a lockout after repeated failures."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

__all__ = ["hash_pin", "verify_pin", "pin_problem", "pin_digest", "split_pin_hash", "MAX_FAILURES", "LOCKOUT"]

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
_N, _R, _P = 2**14, 8, 1


def pin_problem(pin: str | None) -> str | None:
    if not pin:
        return "没有提供密码（PIN）：请在环境变量 STATION_PIN 中设置"
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        return "密码（PIN）应为 4 到 12 位数字"
    return None


def pin_digest(pin: str, salt: bytes) -> bytes:
    """The salted scrypt digest of a PIN: what the store keeps, and what the data key's wrap is made from."""
    return hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(pin_digest(pin, salt)).decode()


def split_pin_hash(stored: str) -> tuple[bytes, bytes] | None:
    """The salt and digest of a stored PIN hash; None when it is not one."""
    try:
        _, salt_b64, digest_b64 = stored.split("$")
        return base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    except ValueError:
        return None


def verify_pin(pin: str, stored: str) -> bool:
    parts = split_pin_hash(stored)
    return parts is not None and hmac.compare_digest(pin_digest(pin, parts[0]), parts[1])


def locked_until_after_failure(failures: int, now: datetime) -> str | None:
    return (now + LOCKOUT).isoformat(timespec="seconds") if failures >= MAX_FAILURES else None
