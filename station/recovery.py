"""The station's recovery key: printed once for the township to keep, never stored on the PC.

It is an X25519 private key; the station keeps only its public half
(``recovery.pub`` in the home). Backups are encrypted to that public half, so a backup
file opens with the printed key and nothing on the PC can open it. ``station rekey``
makes a new pair: new backups need the new key, older ones still the old key.

Printed as 13 groups of 4 base32 characters (``ABCD-EFGH-…``): letters and the digits 2-7
only, so a handwritten O, I or B is never mistaken for 0, 1 or 8; case and dashes are ignored.
"""
from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from station.errors import BadInput
from station.keyseal import load_public, public_text
from station.lockbox import RECOVERY_KEY_ENV, public_key_file

__all__ = ["RECOVERY_KEY_ENV", "new_recovery_key", "recovery_key_text", "parse_recovery_key", "public_text",
           "load_public", "public_key_file", "write_public"]



def new_recovery_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


def recovery_key_text(key: X25519PrivateKey) -> str:
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    text = base64.b32encode(raw).decode("ascii").rstrip("=")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> X25519PrivateKey:
    cleaned = "".join(text.split()).replace("-", "").upper()
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise BadInput("恢复密钥的格式不对：应为 station init 打印的 13 组、每组 4 个字母或数字（如 ABCD-EFGH-…）")
    return X25519PrivateKey.from_private_bytes(raw)


def write_public(root: Path, key: X25519PrivateKey) -> None:
    """Replace the home's recovery public key atomically (a power cut keeps the old or the new one)."""
    target = public_key_file(root)
    temporary = target.with_name(f".{target.name}.tmp")
    with temporary.open("w", encoding="ascii") as handle:
        handle.write(public_text(key.public_key()) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
