"""Moving events: the wire format and signing, the station-side client, bundles, hub-side judgement."""
from __future__ import annotations

from .bundle import Bundle, BundleError, read_bundle, write_bundle
from .client import SyncClient, SyncReport
from .loop import BackgroundSync, SyncStatus
from .signing import SKEW_WINDOW_S, signed_headers, verify_request
from .wire import WireError, decode_batch, encode_batch

__all__ = ["Bundle", "BundleError", "read_bundle", "write_bundle", "SyncClient", "SyncReport",
           "BackgroundSync", "SyncStatus", "SKEW_WINDOW_S", "signed_headers", "verify_request",
           "WireError", "decode_batch", "encode_batch"]
