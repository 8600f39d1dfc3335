"""ID numbers and USCCs: every generated valid code passes, every single-character
corruption of it fails; the reference examples and the 15-digit conversion."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forms import InvalidValue, check_id_number, check_uscc, mod11_2_check_char
from forms.checksums import USCC_ALPHABET, uscc_check_char
from forms.validators import id_number_birth_date, id_number_sex

TODAY = date(2026, 11, 22)
ID_CHARS = "0123456789X"

regions = st.one_of(
    st.from_regex(r"[1-9][0-9]{5}", fullmatch=True),  # any region: never rejected
    st.sampled_from(["810000", "820000", "830000"]),  # HK / Macau / Taiwan permits
    st.from_regex(r"9[0-9]{5}", fullmatch=True),  # 2023 foreigner permanent-residence card
)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    first17 = draw(regions) + draw(birth_dates).strftime("%Y%m%d") + draw(sequences)
    return first17 + mod11_2_check_char(first17)


@st.composite
def usccs(draw: st.DrawFn) -> str:
    letters = st.sampled_from(USCC_ALPHABET)
    head = draw(letters) + draw(letters) + draw(st.from_regex(r"[0-9]{6}", fullmatch=True))
    first17 = head + "".join(draw(st.lists(letters, min_size=9, max_size=9)))
    return first17 + uscc_check_char(first17)


def corruptions(code: str, alphabet: str) -> list[str]:
    return [
        code[:i] + char + code[i + 1 :]
        for i in range(len(code))
        for char in alphabet
        if char != code[i]
    ]


@settings(max_examples=150)
@given(id_numbers())
def test_every_generated_id_number_passes(number: str) -> None:
    assert check_id_number(number, today=TODAY) == number
    assert check_id_number(number.lower(), today=TODAY) == number


@settings(max_examples=150)
@given(id_numbers())
def test_every_single_character_corruption_of_an_id_number_fails(number: str) -> None:
    for corrupted in corruptions(number, ID_CHARS):
        with pytest.raises(InvalidValue):
            check_id_number(corrupted, today=TODAY)


@settings(max_examples=150)
@given(usccs())
def test_every_generated_uscc_passes(code: str) -> None:
    assert check_uscc(code) == code
    assert check_uscc(code.lower()) == code


@settings(max_examples=150)
@given(usccs())
def test_every_single_character_corruption_of_a_uscc_fails(code: str) -> None:
    for corrupted in corruptions(code, USCC_ALPHABET + "IOSVZ"):
        with pytest.raises(InvalidValue):
            check_uscc(corrupted)


@given(
    st.from_regex(r"[1-9][0-9]{5}", fullmatch=True),
    st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
    sequences,
)
def test_15_digit_numbers_convert_to_18(region: str, born: date, sequence: str) -> None:
    legacy = region + born.strftime("%y%m%d") + sequence
    converted = check_id_number(legacy, today=TODAY)
    assert converted[:17] == region + born.strftime("%Y%m%d") + sequence
    assert converted[17] == mod11_2_check_char(converted[:17])
    assert check_id_number(converted, today=TODAY) == converted


@pytest.mark.parametrize(
    "number",
    ["11010519491231002X", "510107199510082343", "420111200012297892",
     "330106201703014566", "650102198802290034"],
)  # fmt: skip
def test_reference_id_numbers_pass(number: str) -> None:
    assert check_id_number(number) == number


def test_lower_case_x_is_stored_upper_case() -> None:
    assert check_id_number("11010519491231002x") == "11010519491231002X"


def test_spaces_and_full_width_digits_are_tolerated() -> None:
    assert check_id_number(" 4201 1120 0012 2978 92 ") == "420111200012297892"
    assert check_id_number("４２０１１１２０００１２２９７８９２") == "420111200012297892"


def test_the_standard_legacy_example_converts() -> None:
    assert check_id_number("110105491231002") == "11010519491231002X"


def test_wrong_check_character_message_names_the_value_and_the_fix() -> None:
    with pytest.raises(InvalidValue) as caught:
        check_id_number("11010519491231002Y")
    assert caught.value.message == "身份证号“11010519491231002Y”最后一位校验码不对，应为 X，请核对证件"


@pytest.mark.parametrize(
    ("first17", "fragment"),
    [
        ("11010519491331002", "不是真实日期"),  # month 13
        ("11010520230229002", "不是真实日期"),  # 2023 is not a leap year
        ("11010518991231002", "早于1900年"),
        ("11010520261123002", "在今天之后"),
    ],
)
def test_impossible_birth_dates_are_refused(first17: str, fragment: str) -> None:
    number = first17 + mod11_2_check_char(first17)
    with pytest.raises(InvalidValue, match=fragment):
        check_id_number(number, today=TODAY)


@pytest.mark.parametrize("bad", ["", "4201112000122978", "4201112000122978921", "42011120001229789Z", "4201A1200012297892"])
def test_malformed_id_numbers_are_refused_with_the_value_named(bad: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        check_id_number(bad)
    assert f"“{bad}”" in caught.value.message


def test_unknown_region_code_is_not_a_reason_to_reject() -> None:
    first17 = "999999" + "19800101" + "123"  # no such county, ever
    number = first17 + mod11_2_check_char(first17)
    assert check_id_number(number) == number


def test_birth_date_and_sex_helpers() -> None:
    assert id_number_birth_date("11010519491231002X") == date(1949, 12, 31)
    assert id_number_sex("11010519491231002X") == "女"  # 17th digit 2: even
    assert id_number_sex("650102198802290034") == "男"
    assert id_number_birth_date("650102198802290034") == date(1988, 2, 29)
    assert id_number_birth_date("110105491231002") == date(1949, 12, 31)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "121101054000009152", "N2510722MA6CK3T274"])
def test_reference_usccs_pass_including_letter_first(code: str) -> None:
    assert check_uscc(code) == code


def test_uscc_messages_name_the_value() -> None:
    with pytest.raises(InvalidValue, match="应为 3"):
        check_uscc("91350100M000100Y44")
    with pytest.raises(InvalidValue, match="第16位“O”"):
        check_uscc("91350100M000100O43")
    with pytest.raises(InvalidValue, match="第3-8位"):
        check_uscc("91A50100M000100Y43")
    with pytest.raises(InvalidValue, match="17位"):
        check_uscc("91350100M000100Y4")
