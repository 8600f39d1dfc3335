"""The receipt as a PNG in the proportions of a 58 mm thermal printer roll.

A 58 mm printer prints 384 dots (48 mm) at 203 dpi; the image keeps that layout and is
drawn at ``width_px`` (default 576, 1.5 times that). The file's dpi is set so
that it prints 48 mm wide. The QR code keeps the standard 4-module quiet zone and at
least 4 px per module, drawn without smoothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from station.filewrite import replacing
from station.receipts.content import (
    KEEP_HINT,
    SCAN_HINT,
    SUBTITLE,
    URL_LABEL,
    Field,
    clean,
    receipt_fields,
)
from station.receipts.data import ReceiptData
from station.receipts.linebreak import break_lines, hanging
from station.receipts.fonts import INSTALL_HINT, NoCJKFont, find_cjk_font
from station.receipts.qr import QRMatrix, qr_matrix

__all__ = ["BASE_WIDTH_PX", "DEFAULT_WIDTH_PX", "MIN_MODULE_PX", "render_png"]

BASE_WIDTH_PX = 384
"""Printable dots across a 58 mm roll at 203 dpi."""
PRINT_WIDTH_MM = 48
DEFAULT_WIDTH_PX = 576
"""1.5 × the printer's dots: prints sharp and reads well on a phone."""
MIN_MODULE_PX = 4
PRINT_QUIET_ZONE = 4
PNG_COMPRESSION = 1
"""zlib level: a receipt is mostly white, so level 1 is nearly as small and much faster."""
_FOUR_LEVELS = [(value + 42) // 85 for value in range(256)]
_GREY_PALETTE = bytes(grey for grey in (0, 85, 170, 255) for _channel in range(3))
QR_SHARE = 0.72
"""Share of the inner width the QR code may take."""

BLACK, WHITE = 0, 255
Font = ImageFont.FreeTypeFont
Drawer = Callable[[Image.Image, ImageDraw.ImageDraw, int], None]


@dataclass(frozen=True)
class _Style:
    width: int
    margin: int
    title: Font
    body: Font
    small: Font

    @property
    def inner(self) -> int:
        return self.width - 2 * self.margin


@dataclass(frozen=True)
class _Row:
    height: int
    draw: Drawer


def render_png(receipt: ReceiptData, path: str | Path, *,
               width_px: int = DEFAULT_WIDTH_PX, font_path: Path | None = None) -> Path:
    """Draw the receipt into ``path`` (PNG); NoCJKFont when no Chinese font exists."""
    style = _style(width_px, font_path or find_cjk_font())
    qr = qr_matrix(receipt.tracking_url, border=PRINT_QUIET_ZONE)
    rows = _rows(receipt, qr, style)
    image = Image.new("L", (width_px, sum(r.height for r in rows) + 2 * style.margin), WHITE)
    draw = ImageDraw.Draw(image)
    top = style.margin
    for row in rows:
        row.draw(image, draw, top)
        top += row.height
    return _save(image, Path(path))


def _save(image: Image.Image, target: Path) -> Path:
    """Write four grey levels, 2 bits a pixel: small, fast, and plenty for text."""
    levels = image.point(_FOUR_LEVELS)
    paletted = Image.frombytes("P", levels.size, levels.tobytes())
    paletted.putpalette(_GREY_PALETTE)
    dpi = round(image.width * 25.4 / PRINT_WIDTH_MM)
    with replacing(target) as temporary:  # a full disk leaves no half-written receipt
        paletted.save(temporary, format="PNG", bits=2, dpi=(dpi, dpi), compress_level=PNG_COMPRESSION)
    return target


def _style(width_px: int, font_path: Path) -> _Style:
    if width_px < BASE_WIDTH_PX:
        raise ValueError(f"width_px must be at least {BASE_WIDTH_PX}, got {width_px}")
    scale = width_px / BASE_WIDTH_PX
    path = str(font_path)
    return _Style(width_px, round(12 * scale), _font(path, round(22 * scale)),
                  _font(path, round(16 * scale)), _font(path, round(13 * scale)))


@lru_cache(maxsize=16)
def _font(path: str, size: int) -> Font:
    try:
        return ImageFont.truetype(path, size, index=_simplified_face(path))
    except OSError as exc:
        raise NoCJKFont(f"{path} is not a usable font ({exc}): {INSTALL_HINT}") from None


@lru_cache(maxsize=4)
def _simplified_face(path: str) -> int:
    """In a font collection, the Simplified Chinese face (e.g. Noto Sans CJK SC)."""
    if not path.lower().endswith(".ttc"):
        return 0
    for index in range(32):
        try:
            family = ImageFont.truetype(path, 12, index=index).getname()[0] or ""
        except OSError:  # past the last face, or not a font at all
            break
        if family.endswith(" SC") or "GB" in family:
            return index
    return 0


# -- rows ---------------------------------------------------------------------------


def _rows(receipt: ReceiptData, qr: QRMatrix, style: _Style) -> list[_Row]:
    gap = _Row(int(style.body.size) // 2, lambda *_: None)
    return [
        *_centred_text(clean(receipt.cityhall_name), style.title, style),
        *_centred_text(SUBTITLE, style.body, style),
        _rule(style),
        *[row for field in receipt_fields(receipt) for row in _field_rows(field, style)],
        _rule(style),
        _qr_row(qr, style),
        *_centred_text(SCAN_HINT, style.body, style),
        gap,
        *_centred_text(URL_LABEL, style.small, style),
        *_centred_text(receipt.tracking_url, style.small, style),
        gap,
        *_centred_text(KEEP_HINT, style.small, style),
    ]


def _line_height(font: Font) -> int:
    return round(font.size * 1.45)


def _text_row(text: str, font: Font, x: int) -> _Row:
    def draw(_image: Image.Image, canvas: ImageDraw.ImageDraw, top: int) -> None:
        canvas.text((x, top), text, font=font, fill=BLACK)

    return _Row(_line_height(font), draw)


def _centred_text(text: str, font: Font, style: _Style) -> list[_Row]:
    return [_text_row(line, font, style.margin + (style.inner - round(font.getlength(line))) // 2)
            for line in wrap_px(text, font, style.inner)]


def _field_rows(field: Field, style: _Style) -> list[_Row]:
    label_width = round(style.body.getlength("收件时间")) + int(style.body.size) // 2
    x = style.margin + label_width
    measure = _measure(style.body)
    rows = [_text_row(line, style.body, x + round(indent)) for value in field.values
            for indent, line in hanging(value, style.inner - label_width, measure)]
    label = _text_row(field.label, style.body, style.margin)
    return [_Row(rows[0].height, _both(label.draw, rows[0].draw)), *rows[1:]]


def _both(first: Drawer, second: Drawer) -> Drawer:
    def draw(image: Image.Image, canvas: ImageDraw.ImageDraw, top: int) -> None:
        first(image, canvas, top)
        second(image, canvas, top)

    return draw


def _rule(style: _Style) -> _Row:
    height = int(style.body.size)

    def draw(_image: Image.Image, canvas: ImageDraw.ImageDraw, top: int) -> None:
        y = top + height // 2
        canvas.line((style.margin, y, style.width - style.margin, y), fill=BLACK,
                    width=max(1, style.width // BASE_WIDTH_PX))

    return _Row(height, draw)


def _qr_row(qr: QRMatrix, style: _Style) -> _Row:
    module = int(style.inner * QR_SHARE) // qr.size
    if module < MIN_MODULE_PX:
        raise ValueError(f"QR code of {qr.size} modules needs a wider image than "
                         f"{style.width} px")
    picture = qr_image(qr, module)
    left = (style.width - picture.width) // 2

    def draw(image: Image.Image, _canvas: ImageDraw.ImageDraw, top: int) -> None:
        image.paste(picture, (left, top))

    return _Row(picture.height, draw)


def qr_image(qr: QRMatrix, module_px: int) -> Image.Image:
    """The QR code, quiet zone included, ``module_px`` pixels a module, black on white."""
    small = Image.new("L", (qr.size, qr.size), WHITE)
    small.putdata([BLACK if dark else WHITE for row in qr.modules for dark in row])
    side = qr.size * module_px
    return small.resize((side, side), Image.Resampling.NEAREST)


def wrap_px(text: str, font: Font, width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels."""
    return break_lines(text, width, _measure(font))


@lru_cache(maxsize=16)
def _measure(font: Font) -> Callable[[str], float]:
    return lru_cache(maxsize=4096)(font.getlength)
