from __future__ import annotations

import re
from dataclasses import replace

import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from rich.cells import cell_len

from station.receipts import ReceiptData, render_text
from station.receipts.linebreak import NO_LINE_START
from station.receipts.text import wrap_cells

BLOCKS = frozenset("▀▄█")
MODULE_PX = 6
FOREGROUND, BACKGROUND = 235, 25  # a dark terminal: light text on a dark ground


def qr_rows(text: str) -> list[str]:
    return [line for line in text.splitlines()
            if set(line) & BLOCKS and set(line) <= BLOCKS | {" "}]


def rasterise(rows: list[str], foreground: int, background: int) -> Image.Image:
    """Paint the half-block rows as a terminal would: one module wide, two tall."""
    width = max(len(row) for row in rows)
    margin = 8
    image = Image.new("L", ((width + 2 * margin) * MODULE_PX,
                            (2 * len(rows) + 2 * margin) * MODULE_PX), background)
    for y, row in enumerate(rows):
        for x, char in enumerate(row):
            for half, inked in enumerate((char in "█▀", char in "█▄")):
                if inked:
                    left, top = (x + margin) * MODULE_PX, (2 * y + half + margin) * MODULE_PX
                    image.paste(foreground, (left, top, left + MODULE_PX, top + MODULE_PX))
    return image


def squashed(text: str) -> str:
    return "".join(text.split())


def test_a_phone_can_scan_the_dark_terminal(receipt: ReceiptData) -> None:
    image = rasterise(qr_rows(render_text(receipt)), FOREGROUND, BACKGROUND)
    found = zxingcpp.read_barcodes(image, try_invert=False)
    assert [b.text for b in found] == [receipt.tracking_url]


def test_a_phone_can_scan_the_light_terminal(receipt: ReceiptData) -> None:
    text = render_text(receipt, light_terminal=True)
    image = rasterise(qr_rows(text), BACKGROUND, FOREGROUND)
    found = zxingcpp.read_barcodes(image, try_invert=False)
    assert [b.text for b in found] == [receipt.tracking_url]


def test_dark_terminal_polarity_is_not_inverted(receipt: ReceiptData) -> None:
    """Drawn the other way round the code would only read as inverted."""
    image = rasterise(qr_rows(render_text(receipt)), BACKGROUND, FOREGROUND)
    assert zxingcpp.read_barcodes(image, try_invert=False) == []


def test_quiet_zone_is_drawn(receipt: ReceiptData) -> None:
    rows = qr_rows(render_text(receipt))
    assert set(rows[0].strip()) == {"█"} and set(rows[-1].strip()) == {"█"}
    assert all(row.strip()[0] == "█" == row.strip()[-1] for row in rows)


@pytest.mark.parametrize("light_terminal", [False, True])
def test_fits_80_columns_with_wide_and_rare_characters(receipt: ReceiptData,
                                                       light_terminal: bool) -> None:
    long = replace(
        receipt,
        item_name="𠮷" * 30 + "农村宅基地和建房（规划许可）申请" * 3,
        station_name="𬱖" * 50,
        cityhall_name="湖北省武汉市江夏区政务服务中心𠮷" * 4,
        materials_received=tuple(f"材料{i}𠮷{'长' * 45}" for i in range(3)),
        materials_owed=(("𠮷" * 60, "2026-11-29"),),
        deadline_note="期限未知：尚无 2027 年工作日历",
        deadline=None,
    )
    text = render_text(long, light_terminal=light_terminal)
    assert max(cell_len(line) for line in text.splitlines()) <= 78
    assert max(cell_len(line) for line in render_text(long, width=80).splitlines()) <= 80
    for value in (long.item_name, long.station_name, long.cityhall_name,
                  *long.materials_received, long.materials_owed[0][0]):
        assert squashed(value) in squashed(text)


def test_has_every_element_of_the_receipt(receipt: ReceiptData) -> None:
    text = render_text(receipt)
    flat = squashed(text)
    for expected in ("420115102203-20261122-0007-5", receipt.item_name, "𠮷*",
                     "4201**********123X", "138****5678", "王𬱖", receipt.station_name,
                     "2026-11-22 10:31", "1.居民身份证", "2.户口簿", "3.残疾人证",
                     "请于2026-11-29前补交", "银行卡复印件（补交期限未定）",
                     "承诺办结2026-12-11前", receipt.tracking_url, "扫描", "进度", "评价",
                     receipt.cityhall_name):
        assert squashed(expected) in flat, expected


CASE_PATH = "/T/4201151022032026112200075/"


@pytest.mark.parametrize(
    ("public_url", "expected"),
    [
        ("https://a.cn", ["查询网址：HTTPS://A.CN" + CASE_PATH + "K7QX2MZB4TNR6WDA"]),
        ("https://track.wuhan.example.gov.cn",
         ["查询网址：", "HTTPS://TRACK.WUHAN.EXAMPLE.GOV.CN" + CASE_PATH, "K7QX2MZB4TNR6WDA"]),
        ("https://" + "long." * 20 + "cn", None),
    ],
)
def test_url_is_broken_only_after_a_slash(receipt: ReceiptData, public_url: str,
                                          expected: list[str] | None) -> None:
    from station.receipts import tracking_url

    url = tracking_url(public_url, receipt.case_no, "K7QX2MZB4TNR6WDA")
    lines = render_text(replace(receipt, tracking_url=url)).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("查询网址："))
    url_lines = lines[start:-1]
    assert "".join(url_lines).removeprefix("查询网址：") == url
    assert all(cell_len(line) <= 78 for line in url_lines)
    if expected is not None:
        assert url_lines == expected


def test_unknown_deadline_shows_its_note(unknown_deadline: ReceiptData) -> None:
    assert "承诺办结  期限未知：尚无 2027 年工作日历" in render_text(unknown_deadline)


def test_without_phone_or_owed_materials(receipt: ReceiptData) -> None:
    text = render_text(replace(receipt, phone_masked=None, materials_owed=()))
    assert "联系电话" not in text
    assert "待补材料  无" in text


def test_control_characters_cannot_break_the_layout(receipt: ReceiptData) -> None:
    text = render_text(replace(receipt, item_name="一\n二\x1b[31m三"))
    assert "\x1b" not in text and "办理事项  一 二 [31m三" in text


def test_too_narrow_is_refused(receipt: ReceiptData) -> None:
    with pytest.raises(ValueError, match="at least"):
        render_text(receipt, width=30)


def test_textual_is_never_imported() -> None:
    import subprocess
    import sys

    code = ("import sys, station.receipts, station.workdays\n"
            "assert not [m for m in sys.modules if m.startswith('textual')]\n")
    subprocess.run([sys.executable, "-c", code], check=True)


TEXT = st.text(st.sampled_from(list("中文材料𠮷𬱖（），。 abc-2026:/") + ["　"]), max_size=120)
# No spaces, and closing punctuation never doubled, so one character can always move.
PROSE = st.text(st.sampled_from(list("中文材料𠮷𬱖（），。abc2026")), max_size=120).filter(
    lambda text: not re.search("[），。]{2}", text))


@given(TEXT, st.integers(min_value=2, max_value=60))
def test_wrap_keeps_everything_within_width(text: str, width: int) -> None:
    lines = wrap_cells(text, width)
    assert all(cell_len(line) <= width for line in lines)
    assert squashed("".join(lines)) == squashed(text)


@given(PROSE, st.integers(min_value=6, max_value=60))
def test_closing_punctuation_does_not_start_a_line(text: str, width: int) -> None:
    lines = wrap_cells(text, width)
    for before, line in zip(lines, lines[1:]):
        if line[:1] in NO_LINE_START:
            assert len(before) <= 1, (before, line)
