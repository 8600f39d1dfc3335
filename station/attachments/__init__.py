"""Scans and photos of a case's materials: sniffed, reduced for the wire, kept by SHA-256.

The terminal app and the command line both call ``attach_files`` (and ``WatchedFolder``
for the document camera's folder); ``sync.files`` moves the wire copies to the city hall
after the case's events.
"""
from __future__ import annotations

from .attach import AUTHORISATION, AttachedFile, attach_files, blob_files, disk_usage, list_attachments, material_choices
from .blobs import BlobFiles, file_sha256, sha256_hex
from .kinds import ACCEPTED_TYPES, sniff_type
from .reduce import WIRE_JPEG_QUALITY, WIRE_LONG_EDGE, wire_copy
from .settings import AttachmentSettings
from .watch import WatchedFolder

__all__ = [
    "AUTHORISATION", "AttachedFile", "attach_files", "blob_files", "disk_usage", "list_attachments",
    "material_choices", "BlobFiles", "file_sha256", "sha256_hex", "ACCEPTED_TYPES", "sniff_type",
    "WIRE_JPEG_QUALITY", "WIRE_LONG_EDGE", "wire_copy", "AttachmentSettings", "WatchedFolder",
]
