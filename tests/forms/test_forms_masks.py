"""Masks for receipts and the citizen's page."""

from __future__ import annotations

import pytest

from forms import mask_id_number, mask_name, mask_phone


def test_mask_id_number_keeps_first_and_last_four() -> None:
    assert mask_id_number("42011120001229789X") == "4201**********789X"
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert len(mask_id_number("420111200012297892")) == 18
    assert mask_id_number("1234") == "****"


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("027-87654321") == "027-****4321"
    assert mask_phone("12345") == "*****"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张*"),
        ("王", "王*"),
        ("欧阳娜娜", "欧阳*"),
        ("司马光", "司马*"),
        ("诸葛亮", "诸葛*"),
        ("上官婉儿", "上官*"),
        ("东方朔", "东方*"),
        ("皇甫谧", "皇甫*"),
        ("尉迟恭", "尉迟*"),
        ("公孙胜", "公孙*"),
        ("慕容复", "慕容*"),
        ("长孙无忌", "长孙*"),
        ("宇文化及", "宇文*"),
        ("司徒雷登", "司徒*"),
        ("夏侯惇", "夏侯*"),
        ("轩辕晓", "轩辕*"),
        ("令狐冲", "令狐*"),
        ("钟离春", "钟离*"),
        ("端木蓉", "端木*"),
        ("歐陽修", "歐陽*"),
        ("欧阳", "欧*"),  # a two-character name is surname 欧 + given name 阳
        ("𠮷祥", "𠮷*"),
        ("𠮷野家明", "𠮷*"),
        ("张𠮷", "张*"),
        ("𬱖", "𬱖*"),
        ("", "*"),
    ],
)
def test_mask_name_keeps_the_surname(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_mask_name_never_splits_a_supplementary_character() -> None:
    masked = mask_name("𠮷一")
    assert masked.encode("utf-8") == "𠮷*".encode()
    assert masked.encode("utf-16-le").decode("utf-16-le") == masked  # no lone surrogate


def test_mask_name_never_normalises() -> None:
    compatibility_ideograph = "\uf900"  # NFC maps it to U+8C48
    assert mask_name(compatibility_ideograph + "三") == compatibility_ideograph + "*"
