"""The PIN's scrypt started before a command has loaded: it costs about as much as Python's own start.

A command that opens the store with the PIN (``station cases``, ``case``) says so on its command
line, long before the service, the store and the ciphers are imported. :func:`start_pin_digest`
then reads from ``keys.json``, as it stands, the salt of the wrap the unlock will try first, and
starts that PIN's scrypt in a thread (:class:`station.pins.PinDigests`). ``hashlib.scrypt``
releases the GIL, so it runs on another core while the command's code loads. This module loads
only the standard library and :mod:`station.pins`, so that it can run first.

It decides nothing: the unlock (:func:`station.lockbox.unlock`, or the sign-in) still opens the
wrap, counts a failure and refuses exactly as before, and takes the digest only for the very PIN
and salt it asks for. A file that is missing, damaged or changed in between (a key change that
``settle`` finishes) costs only the digest, computed again where the unlock needs it.
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection, Mapping
from pathlib import Path

from .pins import PinDigests

__all__ = ["KEYS_FILE", "PIN_ENV", "UNLOCK_PIN_ENV", "first_pin", "start_pin_digest", "first_wrap_salt",
           "operator_order", "ring_spelling"]

KEYS_FILE = "keys.json"
PIN_ENV = "STATION_PIN"
UNLOCK_PIN_ENV = "STATION_UNLOCK_PIN"


def first_pin(environ: Mapping[str, str]) -> str | None:
    """The PIN an unlock tries first (:meth:`station.lockbox.Credentials.pins`)."""
    return environ.get(UNLOCK_PIN_ENV) or environ.get(PIN_ENV) or None


def start_pin_digest(root: Path, environ: Mapping[str, str]) -> PinDigests:
    """The unlock's digests, with that of the first PIN in ``environ`` started for the salt of the
    first wrap it will be tried on (nothing started when there is no PIN or no such wrap)."""
    digests = PinDigests()
    pin = first_pin(environ)
    salt = first_wrap_salt(root / KEYS_FILE) if pin else None
    if pin and salt is not None:
        digests.start(pin, salt)
    return digests


def first_wrap_salt(path: Path) -> bytes | None:
    """The salt of the operator's wrap an unlock without ``--agent`` tries first; None when there
    is none to try (no file, the key still in the open) or the file is not one to read."""
    try:
        raw = json.loads(path.read_bytes())
        wraps = {} if raw.get("open") else raw["operators"]
        first = next(iter(operator_order(wraps, None)), None)
        return None if first is None else base64.b64decode(wraps[first]["salt"], validate=True)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        return None


def ring_spelling(ids: Collection[str], agent_id: str) -> str:
    """The ID as the ring spells it (IDs match regardless of letter case, as sign-in does)."""
    if agent_id in ids:
        return agent_id
    return next((k for k in ids if k.lower() == agent_id.lower()), agent_id)


def operator_order(ids: Collection[str], agent_id: str | None) -> list[str]:
    """Every operator ID, the one named first: the order an unlock tries their wraps in."""
    named = ring_spelling(ids, agent_id) if agent_id else None
    first = [named] if named is not None and named in ids else []
    return first + [k for k in sorted(ids) if k not in first]
