"""The copy of a scan that travels: a readable page in tens of KB.

A 300 dpi A4 scan is 2480 × 3508 pixels and several MB. A page that is a document (dark
marks on paper: forms, ID copies, certificates) travels bilevel: the paper's uneven light
is taken out (the background is estimated on a small copy and subtracted), what is
darker than the paper by a clear margin becomes black, the rest white, at 180 dpi on A4
(2105 pixels on the long edge), as a 1-bit PNG: text and stamps stay sharp at well under
80 KB, where a colour JPEG of the same page was about 300 KB. Anything else, a photo of a
person or a house, stays colour: a JPEG at quality 70, 1800 pixels on the long edge.
PDFs travel byte-identical: they may be signed, and re-encoding them would break that.
The original always stays at the station.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat, UnidentifiedImageError

from .kinds import JPEG, PDF, PNG

__all__ = ["WIRE_LONG_EDGE", "WIRE_JPEG_QUALITY", "DOCUMENT_LONG_EDGE", "WireCopy", "wire_copy", "UnreadableImage",
           "looks_like_document", "bilevel_page"]

WIRE_LONG_EDGE = 1800
WIRE_JPEG_QUALITY = 70
DOCUMENT_LONG_EDGE = 2105
"""180 dpi on A4: a 10.5 pt character is some 26 pixels tall, its strokes several wide, when bilevel;
a dense page stays under 80 KB (200 dpi took the densest test page past it)."""
INK_MARGIN = 48
"""How much darker than the paper around it a pixel must be to count as ink (0-255)."""
_SAMPLE_EDGE = 256
_DOCUMENT_PAPER_SHARE = 0.60
"""A document is mostly paper: at least this share of its pixels are within the margin of the paper."""
_DOCUMENT_EVEN_PAPER = 0.5
"""Its paper's dimmest tenth is at least half as bright as its brightest tenth (light falls unevenly)."""
_DOCUMENT_MAX_SATURATION = 48
"""...and mostly colourless (a red stamp is a small part of it); skin, clothes and fields are not."""
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
    """The bytes that sync for ``original``: bilevel for document pages, a smaller JPEG for photos,
    the same bytes for PDFs (and for a JPEG that would not get smaller)."""
    if media_type == PDF:
        return WireCopy(original, PDF, reduced=False)
    reduced, reduced_type = _reduce_image(original, grayscale)
    if len(reduced) >= len(original) and media_type == JPEG and reduced_type == JPEG and not grayscale:
        return WireCopy(original, media_type, reduced=False)
    return WireCopy(reduced, reduced_type, reduced=True)


def _reduce_image(original: bytes, grayscale: bool) -> tuple[bytes, str]:
    try:
        with Image.open(io.BytesIO(original)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise UnreadableImage(f"{image.width}×{image.height} pixels is more than a scan")
            page = ImageOps.exif_transpose(image)
            if looks_like_document(page):
                return _png(bilevel_page(page)), PNG
            target = "L" if grayscale or page.mode in _GRAY_MODES else "RGB"
            page = page if page.mode == target else page.convert(target)
            page.thumbnail((WIRE_LONG_EDGE, WIRE_LONG_EDGE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            page.save(out, "JPEG", quality=WIRE_JPEG_QUALITY, optimize=True, progressive=True)
            return out.getvalue(), JPEG
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UnreadableImage(str(exc)) from exc


def looks_like_document(page: Image.Image) -> bool:
    """Dark marks on bright, colourless paper, judged on a small copy (a few milliseconds).

    Three signs, all needed: little colour (a stamp is a small part of a page; skin,
    clothes and fields are not), paper that is bright everywhere (only uneven light
    darkens it: a photo has dark regions of its own, hair, clothes, shadows), and a page
    that is mostly paper.
    """
    sample = page.convert("RGB")
    sample.thumbnail((_SAMPLE_EDGE, _SAMPLE_EDGE))
    if ImageStat.Stat(sample.convert("HSV").getchannel("S")).median[0] > _DOCUMENT_MAX_SATURATION:
        return False
    gray = sample.convert("L")
    paper = _paper(gray)
    dim, bright = _percentile(paper, 0.10), _percentile(paper, 0.90)
    if dim < bright * _DOCUMENT_EVEN_PAPER:
        return False
    ink = ImageChops.subtract(paper, gray)
    return sum(ink.histogram()[:INK_MARGIN]) / (ink.width * ink.height) >= _DOCUMENT_PAPER_SHARE


def bilevel_page(page: Image.Image, long_edge: int = DOCUMENT_LONG_EDGE) -> Image.Image:
    """Black where the page is clearly darker than its paper, white elsewhere, ``long_edge`` pixels at most."""
    gray = page.convert("L")
    gray.thumbnail((long_edge, long_edge), Image.Resampling.LANCZOS)
    return _ink(gray).point(lambda darker: 0 if darker >= INK_MARGIN else 255, mode="1")


def _ink(gray: Image.Image) -> Image.Image:
    """How much darker than the paper around it each pixel is: uneven light and paper tint taken out."""
    return ImageChops.subtract(_paper(gray), gray)


def _paper(gray: Image.Image) -> Image.Image:
    """The paper's brightness around each pixel: the brightest nearby, smoothed (ink is thin, paper is not)."""
    small = gray.resize((max(1, gray.width // 16), max(1, gray.height // 16)), Image.Resampling.BOX)
    paper = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(2))
    return paper.resize(gray.size, Image.Resampling.BILINEAR)


def _percentile(gray: Image.Image, share: float) -> int:
    histogram, wanted, seen = gray.histogram(), share * gray.width * gray.height, 0
    for level, count in enumerate(histogram):
        seen += count
        if seen >= wanted:
            return level
    return 255


def _png(page: Image.Image) -> bytes:
    out = io.BytesIO()
    page.save(out, "PNG", optimize=True)
    return out.getvalue()
