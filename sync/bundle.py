"""Bundles: the USB-stick path for stations with no link (DESIGN §5).

A bundle is one file: a magic line, a header line (JSON) and a gzip'd batch. The
header names the origin station, its public key, the batch's SHA-256 and a signature
by the origin's key over the header. A station that imports a bundle keeps its bytes
unchanged and relays them upward; the city hall checks the signature against the
origin's enrolled key, so a relaying station cannot alter or invent the origin's events.
Bundles a station is still carrying travel inside its own next bundle.

A station cannot know other stations' keys, so on import it checks integrity (hash
and the signature against the embedded key); authenticity is checked at the hub.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from station.keys import load_public_key, public_key_text
from station.ledger import Event

from .signing import sign_bytes, verify_bytes
from .wire import WireError, decode_batch, encode_batch

__all__ = ["Bundle", "BundleError", "write_bundle", "read_bundle", "MAGIC"]

MAGIC = b"SSBUNDLE1\n"
_MAX_DEPTH = 4


class BundleError(ValueError):
    """A file that is not an intact bundle; the message says why."""


@dataclass
class Bundle:
    station: str
    created_at: str
    public_key: str
    events: list[Event]
    carried: list[bytes] = field(default_factory=list)
    """Other stations' bundles, byte for byte, that this station was asked to relay."""
    raw: bytes = b""


def write_bundle(key: Ed25519PrivateKey, station: str, events: list[Event], created_at: str,
                 carried: list[bytes] = ()) -> bytes:  # type: ignore[assignment]
    payload = encode_batch(events, carried=[base64.b64encode(c).decode("ascii") for c in carried])
    header: dict[str, Any] = {"station": station, "created_at": created_at, "public_key": public_key_text(key),
                              "sha256": hashlib.sha256(payload).hexdigest(), "events": len(events)}
    header["signature"] = sign_bytes(key, _header_text(header))
    return MAGIC + json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" + payload


def read_bundle(data: bytes, depth: int = 0) -> Bundle:
    if not data.startswith(MAGIC):
        raise BundleError("不是便民服务站的数据包（文件开头不对）")
    header_line, _, payload = data[len(MAGIC):].partition(b"\n")
    header = _header(header_line)
    if hashlib.sha256(payload).hexdigest() != header["sha256"]:
        raise BundleError(f"数据包已损坏或被改动（{header['station']} 的内容校验不符），请重新导出")
    try:
        signed_ok = verify_bytes(load_public_key(header["public_key"]), header["signature"], _header_text(header))
    except ValueError:
        signed_ok = False
    if not signed_ok:
        raise BundleError(f"数据包签名无效（{header['station']}），请重新导出")
    try:
        events, extra = decode_batch(payload)
        carried = [base64.b64decode(c, validate=True) for c in extra.get("carried", [])]
    except (WireError, binascii.Error, TypeError) as exc:
        raise BundleError(f"数据包内容无法读取：{exc}") from exc
    if depth < _MAX_DEPTH:
        for inner in carried:
            read_bundle(inner, depth + 1)
    elif carried:
        raise BundleError("数据包嵌套过深")
    return Bundle(header["station"], header["created_at"], header["public_key"], events, carried, data)


def _header(line: bytes) -> dict[str, Any]:
    try:
        header = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"数据包头无法读取：{exc}") from exc
    keys = ("station", "created_at", "public_key", "sha256", "signature")
    if not isinstance(header, dict) or any(not isinstance(header.get(k), str) for k in keys):
        raise BundleError("数据包头缺少必要信息")
    return header


def _header_text(header: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in header.items() if k != "signature"}
    return b"bundle\n" + json.dumps(unsigned, sort_keys=True, separators=(",", ":")).encode("utf-8")
