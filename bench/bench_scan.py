"""A photographed A4 form ready to send: size (budget ≤ 80 KB) and legibility, against the old colour copy.

The page: a 300 dpi A4 form in real Chinese (10.5 pt body text, a 16 pt title, a table of
fields, a red stamp), photographed: uneven light across it, a warm tint, sensor noise
and a slight blur. Baseline in the same run: the colour JPEG copy the station made
before (1800 pixels on the long edge, quality 70). Legibility is measured against the
page's own ink as drawn, at the copy's resolution: the share of the text's ink the copy
keeps (recall) and the share of the copy's black that is text (precision), each allowing
one pixel of drift; a copy that loses strokes or fills counters with noise scores low.
Also: a colour photo (a face-like portrait) must stay colour.

    .venv/bin/python bench/bench_scan.py [--pages 3]
"""
from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont  # noqa: E402

from station.attachments.reduce import WIRE_JPEG_QUALITY, WIRE_LONG_EDGE, wire_copy  # noqa: E402
from station.receipts.fonts import find_cjk_font  # noqa: E402

A4_300DPI = (2480, 3508)
BODY = ("申请人承诺所填写的信息真实准确，如有虚假愿意承担相应法律责任。本人自愿申请高龄津贴，"
        "户籍所在地为光星村三组，现居住地址与户籍地址一致，银行账户为本人所有。曾𠮷、欧阳娜娜、张三丰。")


def form_ink(seed: int) -> Image.Image:
    """The form's ink as drawn (mode L, 0 = ink), before any camera."""
    rng = random.Random(seed)
    font_path = str(find_cjk_font())
    body, title = ImageFont.truetype(font_path, 44), ImageFont.truetype(font_path, 66)  # 10.5 pt, 16 pt at 300 dpi
    page = Image.new("L", A4_300DPI, 255)
    draw = ImageDraw.Draw(page)
    draw.text((A4_300DPI[0] // 2, 260), "高龄津贴申请表", font=title, fill=0, anchor="mm")
    top = 420
    for row in range(8):  # a table of fields
        y = top + row * 110
        draw.rectangle([230, y, 2250, y + 110], outline=0, width=4)
        draw.line([760, y, 760, y + 110], fill=0, width=4)
        draw.text((260, y + 30), ["姓名", "身份证号", "户籍地址", "联系电话", "开户银行", "银行账号", "代办人", "代办日期"][row],
                  font=body, fill=0)
        draw.text((790, y + 30), "".join(rng.choice(BODY) for _ in range(rng.randint(6, 20))), font=body, fill=0)
    y = top + 8 * 110 + 80
    text = BODY * 6
    while y < A4_300DPI[1] - 500:
        start = rng.randrange(len(BODY))
        draw.text((230, y), text[start:start + 44], font=body, fill=0)
        y += 72
    return page


def photograph(ink: Image.Image, seed: int) -> bytes:
    """The page as a phone or document camera sees it: uneven light, tint, noise, blur, a red stamp."""
    rng = random.Random(seed)
    width, height = ink.size
    light = Image.linear_gradient("L").rotate(rng.choice([30, 120, 210]), expand=False).resize((width, height))
    paper = light.point(lambda v: 150 + v * 95 // 255)  # 150 in the dim corner to 245 in the bright one
    gray = ImageChops.multiply(paper, ink.point(lambda v: 40 + v * 215 // 255))
    noise = Image.effect_noise((width, height), 9).point(lambda v: v - 128 + 128)
    gray = ImageChops.add(gray, noise, scale=1.0, offset=-128)
    page = Image.merge("RGB", (gray, gray.point(lambda v: v * 97 // 100), gray.point(lambda v: v * 90 // 100)))
    stamp = ImageDraw.Draw(page)
    cx, cy, r = int(width * 0.72), height - 420, 190
    stamp.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(190, 40, 45), width=12)
    page = page.filter(ImageFilter.GaussianBlur(1.0))
    out = io.BytesIO()
    page.save(out, "JPEG", quality=90)
    return out.getvalue()


def portrait(seed: int) -> bytes:
    """A colour photo of a person (skin, hair, clothes, a background): must stay colour."""
    rng = random.Random(seed)
    page = Image.new("RGB", (1800, 2400), (90 + rng.randint(0, 30), 130, 170))
    draw = ImageDraw.Draw(page)
    draw.ellipse([500, 300, 1300, 1300], fill=(224, 172, 140))   # face
    draw.ellipse([470, 200, 1330, 700], fill=(40, 30, 25))        # hair
    draw.rectangle([300, 1300, 1500, 2400], fill=(30, 60, 140))   # clothes
    page = Image.blend(page, Image.effect_noise(page.size, 30).convert("RGB"), 0.15)
    out = io.BytesIO()
    page.save(out, "JPEG", quality=90)
    return out.getvalue()


def old_copy(photo: bytes) -> bytes:
    """What the station sent before: colour, 1800 pixels on the long edge, JPEG quality 70."""
    with Image.open(io.BytesIO(photo)) as image:
        page = image.convert("RGB")
        page.thumbnail((WIRE_LONG_EDGE, WIRE_LONG_EDGE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        page.save(out, "JPEG", quality=WIRE_JPEG_QUALITY, optimize=True, progressive=True)
        return out.getvalue()


def legibility(copy: bytes, ink: Image.Image) -> tuple[float, float]:
    """(recall, precision) of the copy's black against the drawn ink at the copy's size, ±1 pixel."""
    with Image.open(io.BytesIO(copy)) as image:
        black = image.convert("L").point(lambda v: 255 if v < 128 else 0)
    truth = ink.resize(black.size, Image.Resampling.BOX).point(lambda v: 255 if v < 128 else 0)
    near_truth, near_black = truth.filter(ImageFilter.MaxFilter(3)), black.filter(ImageFilter.MaxFilter(3))
    kept = _count(ImageChops.multiply(truth, near_black)) / max(1, _count(truth))
    true_black = _count(ImageChops.multiply(black, near_truth)) / max(1, _count(black))
    return kept, true_black


def _count(mask: Image.Image) -> int:
    return mask.histogram()[255]


def measure(pages: int) -> dict[str, list[float] | str]:
    sizes, old_sizes, recalls, precisions, seconds = [], [], [], [], []
    for seed in range(pages):
        ink = form_ink(seed)
        photo = photograph(ink, seed)
        started = time.perf_counter()
        copy = wire_copy(photo, "image/jpeg")
        seconds.append(time.perf_counter() - started)
        if copy.media_type != "image/png":
            raise RuntimeError(f"page {seed} was not taken for a document ({copy.media_type})")
        sizes.append(len(copy.data) / 1024)
        old_sizes.append(len(old_copy(photo)) / 1024)
        recall, precision = legibility(copy.data, ink)
        recalls.append(recall)
        precisions.append(precision)
    return {"kb": sizes, "old_kb": old_sizes, "recall": recalls, "precision": precisions, "seconds": seconds,
            "portrait_type": wire_copy(portrait(0), "image/jpeg").media_type}


def _spread(values: list[float], unit: str = "", digits: int = 0) -> str:
    return (f"median {statistics.median(values):.{digits}f}{unit} "
            f"(spread {min(values):.{digits}f}–{max(values):.{digits}f}{unit})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=3)
    figures = measure(parser.parse_args().pages)
    kb, old_kb = figures["kb"], figures["old_kb"]
    assert isinstance(kb, list) and isinstance(old_kb, list)
    print(f"photographed A4 form, ready to send: {_spread(kb, ' KB')}  (budget ≤ 80 KB), {len(kb)} pages")
    print(f"baseline, the colour copy sent before: {_spread(old_kb, ' KB')}; "
          f"ratio {statistics.median(kb) / statistics.median(old_kb):.2f}×")
    print(f"legibility: ink kept {_spread(figures['recall'], '', 3)}, "  # type: ignore[arg-type]
          f"black that is ink {_spread(figures['precision'], '', 3)}")  # type: ignore[arg-type]
    print(f"reduction time {_spread(figures['seconds'], ' s', 2)}")  # type: ignore[arg-type]
    print(f"a colour portrait travels as {figures['portrait_type']} (stays colour)")


if __name__ == "__main__":
    main()
