"""A secret sealed to an X25519 public key: one ephemeral key, HKDF-SHA256, AES-256-GCM.

The one way this project seals a key to someone who is not there: the data key to the
recovery key (``keys.json``), and a bundle's content key to each station (and the city
hall) that may open it. A seal is JSON-ready text: the recipient's and the ephemeral
public keys, a nonce and the sealed bytes. The HKDF salt and the AES-GCM associated data
are ``recipient.ephemeral`` followed by ``context``, so a seal made for one purpose
(``info``) or one bundle (``context``) opens nowhere else. Pure: no store, no files.
"""
from __future__ import annotations

import base64
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["Seal", "seal_secret", "open_seal", "public_text", "load_public", "load_usable_public", "private_text",
           "load_private"]

Seal = dict[str, str]
"""``recipient``, ``ephemeral``, ``nonce``, ``sealed`` (keys a caller adds are kept, not read)."""


def public_text(key: X25519PublicKey) -> str:
    """Unpadded URL-safe base64 of the 32 raw bytes (as the signing keys are written)."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def load_public(text: str) -> X25519PublicKey:
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if len(raw) != 32:
        raise ValueError("an X25519 public key is 32 bytes")
    return X25519PublicKey.from_public_bytes(raw)


def private_text(key: X25519PrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption()).hex()


def load_private(text: str) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(bytes.fromhex(text))


def _raw(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _key(shared: bytes, info: bytes, header: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=header, info=info).derive(shared)


def seal_secret(recipient: X25519PublicKey, secret: bytes, info: bytes, context: bytes = b"") -> Seal:
    ephemeral = X25519PrivateKey.generate()
    header = (public_text(recipient) + "." + public_text(ephemeral.public_key())).encode("ascii") + context
    nonce = secrets.token_bytes(12)
    return {"recipient": public_text(recipient), "ephemeral": public_text(ephemeral.public_key()),
            "nonce": _b64(nonce),
            "sealed": _b64(AESGCM(_key(ephemeral.exchange(recipient), info, header)).encrypt(nonce, secret, header))}


def load_usable_public(text: str) -> X25519PublicKey:
    """A public key a secret can be sealed to; ValueError for one that is not (a low-order point,
    such as 32 zero bytes, gives no shared secret: sealing to it would fail at every export)."""
    public = load_public(text)
    X25519PrivateKey.generate().exchange(public)  # raises ValueError for a key no exchange works with
    return public


_SEAL_FIELDS = ("recipient", "ephemeral", "nonce", "sealed")


def open_seal(seal: Seal, key: X25519PrivateKey, info: bytes, context: bytes = b"") -> bytes | None:
    """The secret, or None when the seal is not to this key, is not shaped like a seal, or does not open."""
    if not isinstance(seal, dict) or not all(isinstance(seal.get(name), str) for name in _SEAL_FIELDS):
        return None  # a stick anyone can write: a number or a list where text belongs opens nothing
    try:
        if seal["recipient"] != public_text(key.public_key()):
            return None
        header = (seal["recipient"] + "." + seal["ephemeral"]).encode("ascii") + context
        shared = key.exchange(load_public(seal["ephemeral"]))
        return AESGCM(_key(shared, info, header)).decrypt(_raw(seal["nonce"]), _raw(seal["sealed"]), header)
    except (InvalidTag, KeyError, ValueError, TypeError, UnicodeEncodeError):
        return None
