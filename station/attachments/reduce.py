"""The copy of a scan that travels: a readable page at a few hundred KB.

A 300 dpi A4 scan is 2480 × 3508 pixels and several MB. Text stays readable at about
1800 pixels on the long edge (≈ 150 dpi on A4) as a JPEG at quality 70, which is a few
hundred KB. PDFs travel byte-identical: they may be signed, and re-encoding them would
break that. The original always stays at the station.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from .kinds import JPEG, PDF

__all__ = ["WIRE_LONG_EDGE", "WIRE_JPEG_QUALITY", "WireCopy", "wire_copy", "UnreadableImage"]

WIRE_LONG_EDGE = 1800
WIRE_JPEG_QUALITY = 70
MAX_PIXELS = 120_000_000
"""Refuse images larger than this (a decompression bomb, or not a scan at all)."""


_GRAY_MODES = frozenset({"1", "L", "LA", "I", "I;16"})


class UnreadableImage(ValueError):
    """The bytes claim to be an image but Pillow cannot decode them."""


@dataclass(frozen=True)
class WireCopy:
    data: bytes
    media_type: str
    reduced: bool


def wire_copy(original: bytes, media_type: str, grayscale: bool = False) -> WireCopy:
    """The bytes that sync for ``original``: reduced for images, the same bytes for PDFs."""
    if media_type == PDF:
        return WireCopy(original, PDF, reduced=False)
    reduced = _reduce_image(original, grayscale)
    if len(reduced) >= len(original) and media_type == JPEG and not grayscale:
        return WireCopy(original, media_type, reduced=False)
    return WireCopy(reduced, JPEG, reduced=True)


def _reduce_image(original: bytes, grayscale: bool) -> bytes:
    try:
        with Image.open(io.BytesIO(original)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise UnreadableImage(f"{image.width}×{image.height} pixels is more than a scan")
            page = ImageOps.exif_transpose(image)
            target = "L" if grayscale or page.mode in _GRAY_MODES else "RGB"
            page = page if page.mode == target else page.convert(target)
            page.thumbnail((WIRE_LONG_EDGE, WIRE_LONG_EDGE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            page.save(out, "JPEG", quality=WIRE_JPEG_QUALITY, optimize=True, progressive=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UnreadableImage(str(exc)) from exc
