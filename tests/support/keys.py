"""Encryption keys for tests whose stations never meet a city hall: what a first sync would bring."""
from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from station.enckey import encryption_public, save_known_keys
from station.home import StationHome
from station.keys import public_key_text
from station.keyseal import public_text
from station.lockbox import Credentials
from station.service import StationService

__all__ = ["introduce", "introduce_homes"]


def introduce(*services: StationService, hub: str | None = None) -> X25519PrivateKey:
    """Every station hears the others' keys and a city hall's (``hub``, else a new key, returned)."""
    made = X25519PrivateKey.generate()
    keys = {"hub": hub or public_text(made.public_key()),
            "stations": {s.station.code: encryption_public(s.home.root) for s in services},
            "signing": {s.station.code: public_key_text(s.signing_key()) for s in services}}
    for service in services:
        with service.store.write():
            save_known_keys(service.store, keys)
    return made


def introduce_homes(*roots: Path, pin: str = "1234") -> None:
    """:func:`introduce` for homes that real ``station`` processes use (opened with an operator's PIN)."""
    services = [StationService(StationHome(root), credentials=Credentials(pin=pin)) for root in roots]
    try:
        introduce(*services)
    finally:
        for service in services:
            service.close()
