"""Realistic test scans: an A4 page at 300 dpi with lines of text-like strokes, and a small PDF."""
from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

__all__ = ["a4_scan", "write_scan", "tiny_pdf", "A4_300DPI"]

A4_300DPI = (2480, 3508)


def a4_scan(seed: int, size: tuple[int, int] = A4_300DPI, fmt: str = "JPEG") -> bytes:
    """A scanned page: off-white paper, paper grain, a title, ~40 lines of word-shaped strokes, a stamp."""
    rng = random.Random(seed)
    width, height = size
    page = Image.effect_noise((width // 4, height // 4), 18).resize(size).point(lambda v: 215 + v // 8)
    page = Image.merge("RGB", (page, page, page.point(lambda v: v - 6)))
    draw = ImageDraw.Draw(page)
    scale = width / A4_300DPI[0]
    _title(draw, rng, scale)
    _text_lines(draw, rng, width, height, scale)
    _stamp(draw, rng, width, height, scale)
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    out = io.BytesIO()
    page.save(out, fmt, **({"quality": 92, "dpi": (300, 300)} if fmt == "JPEG" else {}))
    return out.getvalue()


def _title(draw: ImageDraw.ImageDraw, rng: random.Random, scale: float) -> None:
    x = int(900 * scale)
    for _ in range(8):
        w = int(rng.randint(60, 80) * scale)
        draw.rectangle([x, int(260 * scale), x + w, int(340 * scale)], outline=(30, 30, 30), width=max(1, int(7 * scale)))
        x += w + int(20 * scale)


def _text_lines(draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int, scale: float) -> None:
    y, margin, line_height = int(480 * scale), int(230 * scale), int(75 * scale)
    while y < height - int(600 * scale):
        x = margin + (int(90 * scale) if rng.random() < 0.2 else 0)
        while x < width - margin - int(60 * scale):
            glyph = int(rng.randint(36, 46) * scale)
            for _ in range(rng.randint(3, 5)):
                x0, y0 = x + rng.randint(0, glyph // 2), y + rng.randint(0, glyph // 2)
                draw.line([x0, y0, x0 + rng.randint(-glyph // 2, glyph), y0 + rng.randint(-4, glyph)],
                          fill=(rng.randint(10, 50),) * 3, width=max(1, int(4 * scale)))
            x += glyph + int(8 * scale) + (int(30 * scale) if rng.random() < 0.08 else 0)
        y += line_height


def _stamp(draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int, scale: float) -> None:
    cx, cy, r = int(width * 0.72), int(height - 420 * scale), int(190 * scale)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(200, 30, 40), width=max(2, int(12 * scale)))
    draw.regular_polygon((cx, cy, r // 3), 5, fill=(200, 30, 40))


def write_scan(path: Path, seed: int, **kwargs: object) -> Path:
    path.write_bytes(a4_scan(seed, **kwargs))  # type: ignore[arg-type]
    return path


def tiny_pdf(text: str = "Authorisation / wei tuo shu") -> bytes:
    """A one-page PDF written by hand, with a correct cross-reference table."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
