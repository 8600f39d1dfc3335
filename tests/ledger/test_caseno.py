from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, strategies as st

from station.ledger import InvalidCaseNo, display_case_no, make_case_no, normalise_case_no


def test_case_number_shape_and_grouping() -> None:
    case_no = make_case_no("420115102203", date(2026, 11, 22), 7)
    assert len(case_no) == 25 and case_no.startswith("42011510220320261122" "0007")
    assert display_case_no(case_no) == f"420115102203-20261122-0007-{case_no[-1]}"
    assert normalise_case_no(display_case_no(case_no)) == case_no
    assert normalise_case_no(" ".join(display_case_no(case_no).split("-")).lower()) == case_no


@given(serial=st.integers(1, 9999), day=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
       position=st.integers(0, 24), replacement=st.sampled_from("0123456789X"))
def test_every_single_character_corruption_is_caught(serial: int, day: date, position: int, replacement: str) -> None:
    case_no = make_case_no("420115102203", day, serial)
    corrupted = case_no[:position] + replacement + case_no[position + 1:]
    if corrupted == case_no:
        return
    with pytest.raises(InvalidCaseNo):
        normalise_case_no(corrupted)


@pytest.mark.parametrize("text", ["", "123", "42011510220320261122000751", "A2011510220320261122 00075"])
def test_malformed_case_numbers_are_refused_in_chinese(text: str) -> None:
    with pytest.raises(InvalidCaseNo, match="案件编号"):
        normalise_case_no(text)


def test_full_width_digits_a_citizen_typed_are_read_as_ascii() -> None:
    case_no = make_case_no("420115102203", date(2026, 11, 22), 7)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in display_case_no(case_no))  # ４２０…－…
    assert normalise_case_no(full_width) == case_no
    assert normalise_case_no(case_no[:12] + "\u3000" + case_no[12:]) == case_no  # an ideographic space


@pytest.mark.parametrize("foreign", ["\u0663", "\u06f3", "\u0969", "\u00b3", "\U0001d7d1"],
                         ids=["arabic-indic", "persian", "devanagari", "superscript", "math-bold"])
def test_digits_of_other_scripts_are_refused_not_taken_for_numbers(foreign: str) -> None:
    case_no = make_case_no("420115102203", date(2026, 11, 22), 7)
    with pytest.raises(InvalidCaseNo, match="案件编号"):
        normalise_case_no(case_no[:5] + foreign + case_no[6:])


@pytest.mark.parametrize("text", ["\ud800" * 25, "4201151022032026112200\udcff75", "4" * 100_000, "\x00" * 25],
                         ids=["surrogates", "one-surrogate", "huge", "nul"])
def test_unprintable_or_huge_text_gives_a_message_that_can_be_printed(text: str) -> None:
    with pytest.raises(InvalidCaseNo) as refused:
        normalise_case_no(text)
    message = str(refused.value)
    message.encode("utf-8")  # a lone surrogate echoed back would break the JSON answer
    assert len(message) < 200 and "\x00" not in message
