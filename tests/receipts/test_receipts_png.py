from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from station.receipts import NoCJKFont, ReceiptData, find_cjk_font, render_png
from station.receipts import fonts as fonts_module
from station.receipts.png import MIN_MODULE_PX, PRINT_WIDTH_MM


def read(path: Path) -> list[zxingcpp.Barcode]:
    with Image.open(path) as image:
        return zxingcpp.read_barcodes(image)


def module_px(barcode: zxingcpp.Barcode) -> float:
    position = barcode.position
    side = position.top_right.x - position.top_left.x
    modules = 4 * int(barcode.extra["Version"]) + 17
    return (side + 1) / modules


def test_png_decodes_to_the_exact_url(receipt: ReceiptData, cjk_font, tmp_path) -> None:
    path = render_png(receipt, tmp_path / "receipt.png")
    [barcode] = read(path)
    assert barcode.text == receipt.tracking_url
    assert module_px(barcode) >= MIN_MODULE_PX


@pytest.mark.parametrize("width_px", [384, 576, 1080])
def test_thermal_proportions(receipt: ReceiptData, cjk_font, tmp_path, width_px) -> None:
    path = render_png(receipt, tmp_path / "receipt.png", width_px=width_px)
    with Image.open(path) as image:
        assert image.width == width_px and image.height > image.width
        dpi = image.info["dpi"][0]
    assert abs(width_px / dpi * 25.4 - PRINT_WIDTH_MM) < 0.5
    [barcode] = read(path)
    assert barcode.text == receipt.tracking_url
    assert module_px(barcode) >= MIN_MODULE_PX


def test_unknown_deadline_and_rare_characters(unknown_deadline: ReceiptData, cjk_font,
                                             tmp_path) -> None:
    receipt = replace(unknown_deadline, item_name="𠮷" * 40, materials_owed=())
    [barcode] = read(render_png(receipt, tmp_path / "r.png"))
    assert barcode.text == receipt.tracking_url


def test_too_narrow_is_refused(receipt: ReceiptData, cjk_font, tmp_path) -> None:
    with pytest.raises(ValueError, match="at least 384"):
        render_png(receipt, tmp_path / "r.png", width_px=200)


# -- fonts --------------------------------------------------------------------------


@pytest.fixture()
def font_dirs(monkeypatch, tmp_path) -> Path:
    monkeypatch.delenv(fonts_module.FONT_ENV, raising=False)
    monkeypatch.setattr(fonts_module, "FONT_DIRS", (str(tmp_path),))
    return tmp_path


def test_no_font_raises_with_what_to_install(font_dirs, receipt, tmp_path) -> None:
    with pytest.raises(NoCJKFont, match="fonts-noto-cjk") as caught:
        find_cjk_font()
    assert str(font_dirs) in str(caught.value)
    assert "STATION_CJK_FONT" in str(caught.value)
    with pytest.raises(NoCJKFont):
        render_png(receipt, tmp_path / "receipt.png")
    assert not (tmp_path / "receipt.png").exists()


def test_search_prefers_the_better_font(font_dirs) -> None:
    (font_dirs / "a" / "b").mkdir(parents=True)
    (font_dirs / "DroidSansFallback.ttf").write_bytes(b"")
    (font_dirs / "a" / "b" / "MSYH.TTC").write_bytes(b"")
    assert find_cjk_font() == font_dirs / "a" / "b" / "MSYH.TTC"
    (font_dirs / "a" / "NotoSansCJK-Regular.ttc").write_bytes(b"")
    assert find_cjk_font() == font_dirs / "a" / "b" / "MSYH.TTC"  # remembered


def test_a_font_installed_later_is_found(font_dirs) -> None:
    with pytest.raises(NoCJKFont):
        find_cjk_font()
    (font_dirs / "wqy-microhei.ttc").write_bytes(b"")
    assert find_cjk_font() == font_dirs / "wqy-microhei.ttc"


def test_environment_variable_wins(font_dirs, monkeypatch, cjk_font) -> None:
    monkeypatch.setenv(fonts_module.FONT_ENV, str(cjk_font))
    assert find_cjk_font() == cjk_font
    monkeypatch.setenv(fonts_module.FONT_ENV, str(font_dirs / "missing.ttf"))
    with pytest.raises(NoCJKFont, match="STATION_CJK_FONT=.*missing.ttf is not a file"):
        find_cjk_font()


def test_a_file_that_is_no_font(font_dirs, monkeypatch, receipt, tmp_path) -> None:
    fake = tmp_path / "fake.ttf"
    fake.write_bytes(b"not a font")
    monkeypatch.setenv(fonts_module.FONT_ENV, str(fake))
    with pytest.raises(NoCJKFont, match="fake.ttf is not a usable font"):
        render_png(receipt, tmp_path / "receipt.png")
