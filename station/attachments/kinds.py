"""What a file is, told by its first bytes, never by its name."""
from __future__ import annotations

__all__ = ["ACCEPTED_TYPES", "sniff_type", "EXTENSIONS"]

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
ACCEPTED_TYPES = (JPEG, PNG, PDF)
EXTENSIONS = {JPEG: ".jpg", PNG: ".png", PDF: ".pdf"}

_SIGNATURES = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"%PDF-", PDF),
)


def sniff_type(head: bytes) -> str | None:
    """The media type of a JPEG, PNG or PDF from its magic bytes; None for anything else.

    A PDF may carry a little junk before ``%PDF-`` (some scanners write a BOM or
    whitespace); readers accept it within the first 1024 bytes, and so do we.
    """
    for magic, media_type in _SIGNATURES:
        if head.startswith(magic):
            return media_type
    return PDF if b"%PDF-" in head[:1024] else None
