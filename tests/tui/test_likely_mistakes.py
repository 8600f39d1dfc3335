"""Warnings before filing for mistakes an agent makes easily: an age band the ID number contradicts."""
from __future__ import annotations

from datetime import date

from station.tui.likely_mistakes import age_band_conflicts, age_from_id_number

TODAY = date(2026, 11, 23)
LABELS = {"age_band": "年龄段"}


def test_age_comes_from_the_birth_date_in_either_id_length() -> None:
    assert age_from_id_number("420115194503150024", TODAY) == 81
    assert age_from_id_number("420115193511240049", TODAY) == 90  # the birthday is tomorrow
    assert age_from_id_number("110105491231002", TODAY) == 76  # a 15-digit card: 1949
    assert age_from_id_number("4201", TODAY) is None


def test_a_band_the_birth_date_contradicts_is_warned_about() -> None:
    (warning,) = age_band_conflicts({"age_band": "90-99周岁"}, LABELS, "420115194503150024", TODAY)
    assert "81 周岁" in warning and "年龄段“90-99周岁”" in warning


def test_a_band_that_fits_and_other_answers_are_left_alone() -> None:
    assert age_band_conflicts({"age_band": "80-89周岁", "bank_name": "农商行"}, LABELS,
                              "420115194503150024", TODAY) == []
    assert age_band_conflicts({"age_band": "100周岁及以上"}, LABELS, "420115192001010027", TODAY) == []
    assert len(age_band_conflicts({"age_band": "100周岁及以上"}, LABELS, "420115194503150024", TODAY)) == 1
