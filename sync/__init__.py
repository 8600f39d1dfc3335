"""Moving events: the wire format and signing, the station-side client, bundles, hub-side judgement.

Names load on first use (PEP 562): ``import sync.wire`` must not pull in httpx, tenacity and
the bundle code, so a ``station`` command loads only what it uses.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .bundle import Bundle, BundleError, read_bundle, write_bundle
    from .client import SyncClient, SyncReport
    from .loop import BackgroundSync, LoopStatus
    from .signing import SKEW_WINDOW_S, signed_headers, verify_request
    from .wire import WireError, decode_batch, encode_batch

_HOMES = {"Bundle": "bundle", "BundleError": "bundle", "read_bundle": "bundle", "write_bundle": "bundle",
          "SyncClient": "client", "SyncReport": "client", "BackgroundSync": "loop", "LoopStatus": "loop",
          "SKEW_WINDOW_S": "signing", "signed_headers": "signing", "verify_request": "signing",
          "WireError": "wire", "decode_batch": "wire", "encode_batch": "wire"}

__all__ = list(_HOMES)


def __getattr__(name: str) -> Any:
    module = _HOMES.get(name)
    if module is None:
        raise AttributeError(f"module 'sync' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
