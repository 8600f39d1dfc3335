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
