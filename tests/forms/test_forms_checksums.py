"""Check characters: MOD 11-2 (ID numbers, case numbers) and GB 32100 (USCC)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms import mod11_2_check_char
from forms.checksums import USCC_ALPHABET, uscc_check_char

GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

digit_strings = st.text(alphabet="0123456789", min_size=1, max_size=40)


def weighted_check(digits: str) -> str:
    """The textbook weighted form: weight of position i (1-based) is 2^(n-i+1) mod 11."""
    n = len(digits)
    total = sum(int(d) * pow(2, n - i, 11) for i, d in enumerate(digits))
    return "0123456789X"[(12 - total % 11) % 11]


def gb11643_check(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, GB11643_WEIGHTS))
    return "10X98765432"[total % 11]


@pytest.mark.parametrize(
    "number",
    ["11010519491231002X", "510107199510082343", "420111200012297892",
     "330106201703014566", "650102198802290034"],
)  # fmt: skip
def test_reference_id_numbers_have_their_check_character(number: str) -> None:
    assert mod11_2_check_char(number[:17]) == number[17]


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_mod11_2_equals_the_gb11643_weights_for_17_digits(first17: str) -> None:
    assert mod11_2_check_char(first17) == gb11643_check(first17)


@given(digit_strings)
def test_mod11_2_is_general_over_any_length(digits: str) -> None:
    assert mod11_2_check_char(digits) == weighted_check(digits)


def test_mod11_2_over_the_24_digits_of_a_case_number() -> None:
    digits = "420115102203" + "20261122" + "0007"
    check = mod11_2_check_char(digits)
    assert check == weighted_check(digits)
    assert len(digits + check) == 25


@pytest.mark.parametrize("bad", ["", "12a4", "１２３", "12 3"])
def test_mod11_2_refuses_anything_but_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        mod11_2_check_char(bad)


@pytest.mark.parametrize(
    "code", ["91350100M000100Y43", "121101054000009152", "N2510722MA6CK3T274"]
)
def test_reference_usccs_have_their_check_character(code: str) -> None:
    assert uscc_check_char(code[:17]) == code[17]


def test_uscc_weights_are_powers_of_three_mod_31() -> None:
    from forms.checksums import _USCC_WEIGHTS

    assert _USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(USCC_ALPHABET) == 31 and not set("IOSVZ") & set(USCC_ALPHABET)


@pytest.mark.parametrize("bad", ["91350100M000100Y", "91350100M000100YI", "9135010OM000100Y4"])
def test_uscc_check_refuses_wrong_length_or_characters(bad: str) -> None:
    with pytest.raises(ValueError):
        uscc_check_char(bad)
