"""Request signatures: Ed25519 over method, path and query, timestamp and body hash.

The signed text also names the station, so a signature cannot be moved to another
station's header. The hub accepts a timestamp within ``SKEW_WINDOW_S`` of its own
clock; a replay after that is refused, a replay inside it is harmless (pushes are
deduplicated by event id, pulls only read).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = ["SKEW_WINDOW_S", "SignatureProblem", "signed_headers", "verify_request", "signing_text",
           "sign_bytes", "verify_bytes"]

SKEW_WINDOW_S = 300
HEADER_STATION, HEADER_TIMESTAMP, HEADER_SIGNATURE = "X-Station", "X-Timestamp", "X-Signature"


@dataclass(frozen=True)
class SignatureProblem:
    """Why a request's signature was refused; ``skew`` when it was valid but the time was off."""

    reason: str
    skew: bool = False


def signing_text(method: str, path_and_query: str, timestamp: str, body: bytes, station: str) -> bytes:
    body_hash = hashlib.sha256(body).hexdigest()
    return "\n".join([method.upper(), path_and_query, timestamp, body_hash, station]).encode("utf-8")


def sign_bytes(key: Ed25519PrivateKey, data: bytes) -> str:
    return base64.urlsafe_b64encode(key.sign(data)).decode("ascii").rstrip("=")


def verify_bytes(public_key: Ed25519PublicKey, signature: str, data: bytes) -> bool:
    try:
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        public_key.verify(raw, data)
        return True
    except (InvalidSignature, binascii.Error, ValueError):
        return False


def signed_headers(key: Ed25519PrivateKey, station: str, method: str, path_and_query: str,
                   body: bytes, now_s: float) -> dict[str, str]:
    timestamp = str(int(now_s))
    text = signing_text(method, path_and_query, timestamp, body, station)
    return {HEADER_STATION: station, HEADER_TIMESTAMP: timestamp, HEADER_SIGNATURE: sign_bytes(key, text)}


def verify_request(public_key: Ed25519PublicKey, headers: dict[str, str], method: str,
                   path_and_query: str, body: bytes, now_s: float) -> SignatureProblem | None:
    """None when the signature is good and fresh; else why not."""
    station, timestamp = headers.get(HEADER_STATION, ""), headers.get(HEADER_TIMESTAMP, "")
    signature = headers.get(HEADER_SIGNATURE, "")
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:  # '¹'.isdigit(), int('¹') fails
        return SignatureProblem(f"{HEADER_TIMESTAMP} must be whole Unix seconds")
    if not signature:
        return SignatureProblem(f"missing {HEADER_SIGNATURE}")
    if not verify_bytes(public_key, signature, signing_text(method, path_and_query, timestamp, body, station)):
        return SignatureProblem("signature does not match the request")
    if abs(int(timestamp) - now_s) > SKEW_WINDOW_S:
        return SignatureProblem(f"timestamp is {int(timestamp) - now_s:+.0f} s off the hub's clock "
                                f"(window ±{SKEW_WINDOW_S} s)", skew=True)
    return None
