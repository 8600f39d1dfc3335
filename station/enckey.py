"""The station's encryption key pair, and the encryption keys it knows of others (bundles, issue 13).

Bundles are sealed to the stations that may open them and to the city hall (``sync.bundle``).
Each station has an X25519 key pair for that: the private half lives only inside the
encrypted store (``meta.encryption_key``), so nothing on the PC opens a bundle before the
store is unlocked; the public half is ``encryption.pub`` in the home, which ``station info``
shows and ``cityhall enroll --encryption-key`` records. ``station init`` makes the pair; a
home made before gets one at its first unlock.

The keys of the others (the city hall's, and the enrolled stations above and below this
one) arrive with the publications after each pull and are kept in ``meta.encryption_keys``:
``{"hub": KEY, "stations": {CODE: KEY or null}}`` (null: enrolled, but no key published yet).
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # cryptography loads only when a key is made or used, not at every unlock
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from .store import StationStore

__all__ = ["ENCRYPTION_KEY_META", "KNOWN_KEYS_META", "PUBLIC_FILE", "KnownKeys", "ensure_encryption_key",
           "encryption_public", "own_encryption_public", "encryption_private", "known_keys", "save_known_keys"]

ENCRYPTION_KEY_META = "encryption_key"
KNOWN_KEYS_META = "encryption_keys"
PUBLIC_FILE = "encryption.pub"


def encryption_public(root: Path) -> str | None:
    """This station's encryption public key as the home keeps it; None before it was made."""
    path = root / PUBLIC_FILE
    return (path.read_text(encoding="ascii").strip() or None) if path.is_file() else None


def own_encryption_public(store: StationStore, root: Path) -> str | None:
    """This station's encryption public key as the private half in the store gives it: what it
    publishes and seals its own bundles to. ``encryption.pub`` is a plain file anyone with the
    folder can change, so it is only a copy, written again when it says otherwise."""
    from .keyseal import public_text

    private = encryption_private(store)
    if private is None:
        return None
    text = public_text(private.public_key())
    if encryption_public(root) != text:
        _write_public(root, text)
    return text


def ensure_encryption_key(store: StationStore, root: Path) -> bool:
    """Make the key pair if the store has none, and (re)write ``encryption.pub``; True when anything was written.

    Costs one meta read and one ``stat`` when both are there (every unlock comes here).
    """
    secret = store.get_meta(ENCRYPTION_KEY_META)
    if secret and (root / PUBLIC_FILE).is_file():
        return False
    from .keyseal import load_private, private_text, public_text

    if not secret:
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

        with store.write():
            secret = store.get_meta(ENCRYPTION_KEY_META)
            if not secret:
                secret = private_text(X25519PrivateKey.generate())
                store.set_meta(ENCRYPTION_KEY_META, secret)
    _write_public(root, public_text(load_private(secret).public_key()))
    return True


def _write_public(root: Path, text: str) -> None:
    target = root / PUBLIC_FILE
    temporary = target.with_name(f".{target.name}.tmp")
    with temporary.open("w", encoding="ascii") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def encryption_private(store: StationStore) -> X25519PrivateKey | None:
    from .keyseal import load_private

    secret = store.get_meta(ENCRYPTION_KEY_META)
    return load_private(secret) if secret else None


class KnownKeys(NamedTuple):
    """The public keys this station has heard of from the city hall."""

    hub: str | None = None
    stations: Mapping[str, str | None] = MappingProxyType({})
    """Enrolled stations above and below this one: their encryption key, or None while they have published none."""
    signing: Mapping[str, str] = MappingProxyType({})
    """The same stations' enrolled signing keys: a stick is theirs only when signed by one of these."""
    heard: bool = False
    """False until a city hall that sends keys was reached once."""

    @classmethod
    def from_json(cls, raw: Any) -> KnownKeys:
        """Whatever the city hall sent; entries that are not text are dropped."""
        if not isinstance(raw, dict):
            return cls()
        hub = raw.get("hub") if isinstance(raw.get("hub"), str) else None
        entries = raw.get("stations")
        entries = entries if isinstance(entries, dict) else {}
        stations = {str(code): key if isinstance(key, str) else None for code, key in entries.items()
                    if isinstance(code, str)}
        signing = raw.get("signing")
        signing = {code: key for code, key in signing.items() if isinstance(code, str) and isinstance(key, str)
                   } if isinstance(signing, dict) else {}
        return cls(hub=hub, stations=stations, signing=signing, heard=True)

    def to_json(self) -> dict[str, Any]:
        return {"hub": self.hub, "stations": dict(sorted(self.stations.items())),
                "signing": dict(sorted(self.signing.items()))}


def known_keys(store: StationStore) -> KnownKeys:
    raw = store.get_meta(KNOWN_KEYS_META)
    return KnownKeys.from_json(json.loads(raw)) if raw else KnownKeys()


def save_known_keys(store: StationStore, raw: Any) -> KnownKeys:
    """What the city hall sent, a key nothing can be sealed to kept as no key (so an export names
    the station that must publish again instead of failing half way)."""
    heard = KnownKeys.from_json(raw)
    keys = heard._replace(hub=heard.hub if heard.hub and _usable(heard.hub) else None,
                          stations={code: key if key and _usable(key) else None for code, key in heard.stations.items()})
    store.set_meta(KNOWN_KEYS_META, json.dumps(keys.to_json()))
    return keys


def _usable(text: str) -> bool:
    from .keyseal import load_usable_public

    try:
        load_usable_public(text)
    except (ValueError, TypeError):
        return False
    return True
