"""The station's data key and the file of its wraps (``keys.json`` in the home).

One random 32-byte key per station encrypts the store (SQLCipher). The key itself is
never written: ``keys.json`` holds it wrapped

- per operator, with AES-256-GCM under HKDF(scrypt(PIN, the operator's salt)) — the same
  salted scrypt digest the store keeps as the operator's PIN hash, so a plain store being
  migrated gives every operator a wrap from what it already holds, no PIN needed;
- once sealed to the recovery public key (X25519 + HKDF + AES-GCM, as backups are), so
  the township's printed recovery key opens it.

Before the first operator exists the store holds no personal data and the key stands in
the file in the open (``open``); adding that operator moves the store to a new key that
was never on disk. The file also names the store file it belongs to by the store's first
16 bytes (SQLCipher's random salt), so after a power cut half way through a change of
key the file that matches the store is known, and the lockout counters of sign-ins
that failed while the store was locked.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from forms.records import Record

from .pins import PinDigests, split_pin_hash
from .unlock_ahead import operator_order, ring_spelling

if TYPE_CHECKING:  # X25519 loads only for the recovery seal: an operator's unlock needs AES-GCM alone
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["KeyRing", "OperatorWrap", "new_data_key", "wrap_for_operator",
           "seal_to_recovery", "write_ring", "read_ring"]

_OPERATOR_INFO = b"service-station data key: operator wrap v1"
_RECOVERY_INFO = b"service-station data key: recovery seal v1"


def new_data_key() -> bytes:
    return os.urandom(32)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _raw(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _aes_gcm() -> type[AESGCM]:
    """AES-GCM; cryptography loads on first use, so reading the ring (for its salts) needs none of it.

    The class ``cryptography.hazmat.primitives.ciphers.aead`` exports is the one its compiled core
    defines; taken from there, the unlock of ``station case`` does not load the rest of the ciphers
    package (Cipher, the modes and algorithms: a third of loading cryptography). A version that keeps
    AES-GCM elsewhere is served by the public module (``tests/station/test_datakey_hkdf.py`` checks
    that both name the same class).
    """
    try:
        from cryptography.hazmat.bindings._rust import openssl

        return openssl.aead.AESGCM
    except (ImportError, AttributeError):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        return AESGCM


def _hkdf(secret: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    """HKDF-SHA256 (RFC 5869) to 32 bytes: one block of expansion, so ``T(1)`` is the key."""
    pseudorandom = hmac.digest(salt or bytes(32), secret, hashlib.sha256)
    return hmac.digest(pseudorandom, info + b"\x01", hashlib.sha256)


class OperatorWrap(NamedTuple):
    """The data key under one operator's PIN: the scrypt salt (as in the PIN hash), nonce, sealed key."""

    salt: str
    nonce: str
    sealed: str

    def open(self, agent_id: str, digest: bytes) -> bytes | None:
        """The data key from the operator's scrypt digest; None when it is not theirs."""
        from cryptography.exceptions import InvalidTag

        try:
            return _aes_gcm()(_hkdf(digest, _OPERATOR_INFO)).decrypt(_raw(self.nonce), _raw(self.sealed),
                                                                   agent_id.encode())
        except (InvalidTag, ValueError):
            return None

    def open_with_pin(self, agent_id: str, pin: str, digests: PinDigests) -> bytes | None:
        _aes_gcm()  # the cipher loads first, while a digest started ahead may still be running
        return self.open(agent_id, digests.digest(pin, _raw(self.salt)))

    def salt_bytes(self) -> bytes:
        return _raw(self.salt)


def wrap_for_operator(agent_id: str, pin_hash: str, data_key: bytes) -> OperatorWrap | None:
    """A wrap made from the operator's stored PIN hash (salt and digest); None when it is no scrypt hash."""
    parts = split_pin_hash(pin_hash)
    if parts is None:
        return None
    salt, digest = parts
    nonce = os.urandom(12)
    sealed = _aes_gcm()(_hkdf(digest, _OPERATOR_INFO)).encrypt(nonce, data_key, agent_id.encode())
    return OperatorWrap(_b64(salt), _b64(nonce), _b64(sealed))


def seal_to_recovery(recipient: X25519PublicKey, data_key: bytes) -> dict[str, str]:
    from .keyseal import seal_secret

    return seal_secret(recipient, data_key, _RECOVERY_INFO)


def open_recovery_seal(seal: dict[str, str], recovery_key: X25519PrivateKey) -> bytes | None:
    from .keyseal import open_seal

    return open_seal(seal, recovery_key, _RECOVERY_INFO)


class KeyRing(Record):
    """What ``keys.json`` holds.

    ``store_salt``: hex of the first 16 bytes of the store file these wraps open. ``open_key``: hex
    of the data key while no operator exists (no personal data in the store yet). ``sign_in``:
    failed unlocks per operator ID (``failures``, ``locked_until``).
    """

    __slots__ = _fields = ("store_salt", "open_key", "operators", "recovery", "sign_in")

    def __init__(self, store_salt: str, open_key: str | None = None, operators: dict[str, OperatorWrap] | None = None,
                 recovery: dict[str, str] | None = None, sign_in: dict[str, dict[str, Any]] | None = None) -> None:
        self.store_salt = store_salt
        self.open_key = open_key
        self.operators: dict[str, OperatorWrap] = {} if operators is None else operators
        self.recovery = recovery
        self.sign_in: dict[str, dict[str, Any]] = {} if sign_in is None else sign_in

    def to_json(self) -> str:
        return json.dumps({"version": 1, "store_salt": self.store_salt, "open": self.open_key,
                           "operators": {k: w._asdict() for k, w in sorted(self.operators.items())},
                           "recovery": self.recovery, "sign_in": self.sign_in}, ensure_ascii=True, indent=1)

    @classmethod
    def from_json(cls, text: str) -> KeyRing:
        raw = json.loads(text)
        return cls(store_salt=str(raw["store_salt"]), open_key=raw.get("open"),
                   operators={str(k): OperatorWrap(**v) for k, v in (raw.get("operators") or {}).items()},
                   recovery=raw.get("recovery"), sign_in=dict(raw.get("sign_in") or {}))

    def unwrap_pin(self, pin: str, candidates: list[str], digests: PinDigests) -> bytes | None:
        """The data key if ``pin`` is the PIN of one of these operators (tried in this order)."""
        for candidate in candidates:
            agent_id = self.ring_id(candidate)
            wrap = self.operators.get(agent_id)
            key = wrap.open_with_pin(agent_id, pin, digests) if wrap is not None else None
            if key is not None:
                return key
        return None

    def candidates(self, agent_id: str | None) -> list[str]:
        """Every operator, the one named first."""
        return operator_order(self.operators, agent_id)

    def unwrap_recovery(self, recovery_key: X25519PrivateKey) -> bytes | None:
        return open_recovery_seal(self.recovery, recovery_key) if self.recovery else None

    def ring_id(self, agent_id: str) -> str:
        """The ID as the ring spells it (IDs match regardless of letter case, as sign-in does)."""
        return ring_spelling(self.operators, agent_id)


def read_ring(path: Path) -> KeyRing | None:
    if not path.is_file():
        return None
    try:
        return KeyRing.from_json(path.read_text(encoding="ascii"))
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path.name} is damaged: {exc}") from exc


def write_ring(path: Path, ring: KeyRing) -> None:
    """Write the ring beside ``path`` and rename it over, flushed to disk (a power cut keeps old or new)."""
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="ascii") as handle:
        handle.write(ring.to_json() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened, as on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
