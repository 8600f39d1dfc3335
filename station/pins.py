"""Operator PINs: salted scrypt hashes and a lockout after repeated failures."""
from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # datetime loads after the digest is started (station/unlock_ahead.py), not before
    from datetime import datetime

__all__ = ["hash_pin", "verify_pin", "pin_problem", "pin_digest", "split_pin_hash", "PinDigests", "MAX_FAILURES",
           "LOCKOUT_MINUTES"]

MAX_FAILURES = 5
LOCKOUT_MINUTES = 15
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


class PinDigests:
    """Where an unlock gets the scrypt digest of a PIN: :func:`pin_digest`, computed when asked, unless
    :meth:`start` began that very digest (same PIN, same salt) ahead in a thread, which is then waited for.

    Only the work moves, never the decision: the unlock that asks still opens the wrap with the
    digest, counts a failure and refuses exactly as when it computes it itself. A command starts
    the digest as soon as its command line is read, so scrypt (which releases the GIL) runs on
    the other core while the command's code loads. A started digest is given out once.
    """

    def __init__(self) -> None:
        self._ahead: _DigestAhead | None = None

    def start(self, pin: str, salt: bytes) -> None:
        self._ahead = _DigestAhead(pin, salt)

    def digest(self, pin: str, salt: bytes) -> bytes:
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead.answers(pin, salt):
            return ahead.result()
        if ahead is not None:
            self._ahead = ahead  # asked for another PIN or salt first: kept for its own question
        return pin_digest(pin, salt)


class _DigestAhead:
    """One :func:`pin_digest` running in a thread of its own."""

    def __init__(self, pin: str, salt: bytes) -> None:
        self._pin, self._salt = pin, salt
        self._digest: bytes | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="pin-digest", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._digest = pin_digest(self._pin, self._salt)
        except BaseException as exc:  # noqa: BLE001 - raised where the digest is asked for, as without the thread
            self._error = exc

    def answers(self, pin: str, salt: bytes) -> bool:
        return hmac.compare_digest(pin.encode(), self._pin.encode()) and salt == self._salt

    def result(self) -> bytes:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._digest is not None
        return self._digest


def hash_pin(pin: str) -> str:
    import secrets  # (random) only for a new PIN: an unlock needs none

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
    from datetime import timedelta

    return (now + timedelta(minutes=LOCKOUT_MINUTES)).isoformat(timespec="seconds") if failures >= MAX_FAILURES else None
