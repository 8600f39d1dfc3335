"""The plain field validators and validate_field / validate_form."""

from __future__ import annotations

from datetime import date

import pytest

from forms import (
    FieldSpec,
    InvalidValue,
    ServiceItem,
    check_division_code,
    check_phone,
    validate_field,
    validate_form,
)
from forms.validators import (
    check_bool,
    check_choice,
    check_date,
    check_integer,
    check_money,
    check_text,
)

TODAY = date(2026, 11, 22)


# --------------------------------------------------------------------------- text


def test_text_keeps_the_value_exactly_and_counts_code_points() -> None:
    assert check_text("  张𠮷  ") == "张𠮷"
    assert check_text("𠮷" * 5, max_length=5) == "𠮷" * 5
    with pytest.raises(InvalidValue, match="最多5个字"):
        check_text("𠮷" * 6, max_length=5)


def test_text_is_never_normalised() -> None:
    compatibility_ideograph = "\uf900"  # NFC would turn it into 豈 (U+8C48)
    assert check_text(compatibility_ideograph) == compatibility_ideograph


def test_text_refuses_control_characters_and_short_values() -> None:
    with pytest.raises(InvalidValue, match="换行"):
        check_text("第一行\n第二行")
    with pytest.raises(InvalidValue, match="至少要10个字"):
        check_text("太短", min_length=10)


def test_text_pattern_and_compact() -> None:
    rules = {"pattern": "[0-9]{10,25}", "pattern_help": "10至25位数字", "compact": True}
    assert check_text("6228 4804 0256 4890 018", **rules) == "6228480402564890018"
    with pytest.raises(InvalidValue, match="应为10至25位数字"):
        check_text("6228-4804", **rules)


# --------------------------------------------------------------------------- numbers


def test_integer() -> None:
    assert check_integer(" 3 ") == 3
    assert check_integer("３") == 3
    assert check_integer("120", min=1, max=300) == 120
    for bad in ["3.5", "三", "", "1e3", "٣"]:
        with pytest.raises(InvalidValue, match="不是整数"):
            check_integer(bad)
    with pytest.raises(InvalidValue, match="不能小于1"):
        check_integer("0", min=1)
    with pytest.raises(InvalidValue, match="不能大于300"):
        check_integer("301", max=300)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1200", "1200.00"), ("1,200.5", "1200.50"), ("￥12.05元", "12.05"), ("0", "0.00"), ("¥ 3", "3.00")],
)
def test_money_normalises_to_two_places(raw: str, expected: str) -> None:
    assert check_money(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("-1", "负数"), ("1.234", "最多两位小数"), ("abc", "格式不对"), ("1e3", "格式不对"), ("NaN", "格式不对")],
)
def test_money_refuses_negative_rounding_and_nonsense(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidValue, match=fragment):
        check_money(raw)


def test_money_bounds() -> None:
    assert check_money("50000", max=50000) == "50000.00"
    with pytest.raises(InvalidValue, match="不能超过50000元"):
        check_money("50000.01", max=50000)
    with pytest.raises(InvalidValue, match="不能少于"):
        check_money("1", min="10.5")


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "raw", ["2024-02-29", "20240229", "2024/2/29", "2024.02.29", "2024年2月29日", "２０２４０２２９"]
)
def test_date_formats(raw: str) -> None:
    assert check_date(raw) == "2024-02-29"


@pytest.mark.parametrize("raw", ["2023-02-29", "20241301", "2024-1", "yesterday", "29/02/2024"])
def test_date_refuses_unreal_or_unknown_shapes(raw: str) -> None:
    with pytest.raises(InvalidValue, match="不是有效日期"):
        check_date(raw)


def test_date_bounds_including_today() -> None:
    assert check_date("2026-11-22", max="today", today=TODAY) == "2026-11-22"
    with pytest.raises(InvalidValue, match="不能晚于今天"):
        check_date("2026-11-23", max="today", today=TODAY)
    with pytest.raises(InvalidValue, match="不能早于2020-01-01"):
        check_date("2019-12-31", min="2020-01-01")
    with pytest.raises(InvalidValue, match="太早"):
        check_date("1899-12-31")


# --------------------------------------------------------------------------- choices


def test_choice_and_bool() -> None:
    assert check_choice(" 肢体残疾 ", choices=("视力残疾", "肢体残疾")) == "肢体残疾"
    with pytest.raises(InvalidValue, match="视力残疾、肢体残疾"):
        check_choice("腿脚不便", choices=("视力残疾", "肢体残疾"))
    for word in ["是", "y", "Y", "yes", "true", "TRUE", "1"]:
        assert check_bool(word) is True
    for word in ["否", "n", "No", "false", "0"]:
        assert check_bool(word) is False
    with pytest.raises(InvalidValue, match="请填“是”或“否”"):
        check_bool("也许")


# --------------------------------------------------------------------------- phone


@pytest.mark.parametrize(
    "raw", ["13812345678", "138 1234 5678", "138-1234-5678", "+86 13812345678", "８６13812345678", "+86-138-1234-5678"]
)
def test_mobile_numbers(raw: str) -> None:
    assert check_phone(raw) == "13812345678"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("1381234567", "11位"), ("12812345678", "13-19开头"), ("027-87654321", "固定电话"), ("1381234567a", "11位")],
)
def test_not_a_mobile_number(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidValue, match=fragment):
        check_phone(raw)


def test_landline_only_with_its_rule() -> None:
    assert check_phone("027-87654321", landline=True) == "027-87654321"
    assert check_phone("02787654321", landline=True) == "027-87654321"
    assert check_phone("0715-8123456", landline=True) == "0715-8123456"
    assert check_phone("13812345678", landline=True) == "13812345678"
    with pytest.raises(InvalidValue, match="固定电话"):
        check_phone("87654321", landline=True)


# --------------------------------------------------------------------------- division codes


@pytest.mark.parametrize(
    "code",
    ["420100000000", "420115000000", "420115102000", "420115102203", "420115201210",
     "110101001001", "429004100200", "810000000000"],
)  # fmt: skip
def test_division_codes(code: str) -> None:
    assert check_division_code(code) == code


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("42011510220", "12位数字"),
        ("4201151022031", "12位数字"),
        ("10011510220A", "12位数字"),
        ("990115102203", "省级代码“99”"),
        ("100115102203", "省级代码“10”"),
        ("420115700203", "乡级代码“700”"),
        ("420115102650", "村级代码“650”"),
        ("420100102203", "也应为0"),
        ("420115000203", "也应为0"),
    ],
)
def test_bad_division_codes(code: str, fragment: str) -> None:
    with pytest.raises(InvalidValue, match=fragment) as caught:
        check_division_code(code)
    assert f"“{code}”" in caught.value.message


# --------------------------------------------------------------------------- dispatch


def make_item(*fields: FieldSpec) -> ServiceItem:
    return ServiceItem(
        code="T1", name="测试事项", version=1, kind="公共服务", level="township",
        legal_days=0, promise_days=0, instant=True, fee="不收费", on_behalf=True,
        basis="", conditions=(), fields=fields, materials=(), result="",
    )  # fmt: skip


ITEM = make_item(
    FieldSpec("household_size", "家庭人口数", "integer", rules={"min": 1}, example="3"),
    FieldSpec("born", "出生日期", "date", rules={"max": "today"}, example="2000-01-01"),
    FieldSpec("spouse_id", "配偶身份证号", "id_number", example="510107199510082343"),
    FieldSpec("category", "残疾类别", "choice", choices=("视力残疾", "肢体残疾"), example="视力残疾"),
    FieldSpec("income", "月收入", "money", required=False, example="100"),
    FieldSpec("contact", "联系电话", "phone", required=False, rules={"landline": True}, example="13812345678"),
)


def test_validate_field_dispatches_on_type_with_rules() -> None:
    assert validate_field(ITEM.field("household_size"), "4") == 4
    assert validate_field(ITEM.field("category"), "肢体残疾") == "肢体残疾"
    assert validate_field(ITEM.field("contact"), "02787654321") == "027-87654321"
    assert validate_field(ITEM.field("income"), "  ") is None
    assert validate_field(ITEM.field("household_size"), 4) == 4  # not text: read as str
    with pytest.raises(InvalidValue, match="必填"):
        validate_field(ITEM.field("household_size"), "")


def test_validate_form_returns_clean_values() -> None:
    raw = {"household_size": "3", "born": "20000101", "spouse_id": " 510107199510082343",
           "category": "视力残疾", "income": "1,200"}  # fmt: skip
    values, problems = validate_form(ITEM, raw, today=TODAY)
    assert problems == []
    assert values == {"household_size": 3, "born": "2000-01-01", "spouse_id": "510107199510082343",
                      "category": "视力残疾", "income": "1200.00"}  # fmt: skip


def test_validate_form_reports_every_problem_at_once_with_labels() -> None:
    raw = {"household_size": "0", "born": "2030-01-01", "category": "不知道",
           "income": "-5", "colour": "红", "nickname": "小明"}  # fmt: skip
    values, problems = validate_form(ITEM, raw, today=TODAY)
    assert values == {}
    assert len(problems) == 7, problems
    assert problems[0].startswith("家庭人口数：")
    assert problems[1].startswith("出生日期：") and "不能晚于今天" in problems[1]
    assert problems[2] == "配偶身份证号：必填，请填写"
    assert problems[3].startswith("残疾类别：") and "不知道" in problems[3]
    assert problems[4].startswith("月收入：") and "负数" in problems[4]
    assert problems[5].startswith("colour：") and "household_size" in problems[5]
    assert problems[6].startswith("nickname：")


def test_validate_form_keeps_the_good_values_beside_the_problems() -> None:
    values, problems = validate_form(ITEM, {"household_size": "2", "category": "视"}, today=TODAY)
    assert values == {"household_size": 2}
    assert [p.split("：")[0] for p in problems] == ["出生日期", "配偶身份证号", "残疾类别"]
