"""Field validators: raw text as typed by an agent in, normalised value out.

Every ``check_*`` function takes the raw string and returns the normalised value, or
raises :class:`InvalidValue` with a message in plain Chinese that names the wrong value
and says what to do. :func:`validate_field` and :func:`validate_form` apply them to the
fields of a service item; ``validate_form`` reports every problem at once (一次性告知).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from forms.checksums import USCC_ALPHABET, mod11_2_check_char, uscc_check_char

if TYPE_CHECKING:
    from forms.schema import FieldSpec, ServiceItem

__all__ = [
    "COMPOUND_SURNAMES",
    "DEFAULT_TEXT_MAX_LENGTH",
    "FieldValue",
    "InvalidValue",
    "PROVINCE_CODES",
    "check_bool",
    "check_choice",
    "check_date",
    "check_division_code",
    "check_id_number",
    "check_integer",
    "check_money",
    "check_phone",
    "check_text",
    "check_uscc",
    "id_number_birth_date",
    "id_number_sex",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "validate_field",
    "validate_form",
]

DEFAULT_TEXT_MAX_LENGTH = 200
"""Longest text accepted when a text field has no ``max_length`` rule (code points)."""

PROVINCE_CODES = frozenset(
    ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
     "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"]
)
"""First two digits of every province-level division code (GB/T 2260)."""

COMPOUND_SURNAMES = frozenset(
    "欧阳 太史 端木 上官 司马 东方 独孤 南宫 万俟 闻人 夏侯 诸葛 尉迟 公羊 赫连 澹台 "
    "皇甫 宗政 濮阳 公冶 太叔 申屠 公孙 慕容 仲孙 钟离 长孙 宇文 司徒 鲜于 司空 闾丘 "
    "子车 亓官 司寇 巫马 公西 颛孙 壤驷 公良 漆雕 乐正 宰父 谷梁 拓跋 夹谷 轩辕 令狐 "
    "段干 百里 呼延 东郭 南门 羊舌 微生 梁丘 左丘 东门 西门 第五 南荣 东里 即墨 达奚 "
    "褚师 "
    # Traditional forms: names are stored exactly as written, never converted.
    "歐陽 司馬 東方 獨孤 聞人 諸葛 尉遲 公羊 赫連 澹臺 皇甫 濮陽 公孫 仲孫 鍾離 鐘離 "
    "長孫 鮮於 閭丘 顓孫 壤駟 樂正 穀梁 夾谷 軒轅 東郭 南門 東門 東里 達奚 褚師".split()
)
"""Two-character surnames, so that 欧阳娜娜 masks as 欧阳* and not 欧*."""


class InvalidValue(ValueError):
    """A raw value that does not pass its field's validator.

    ``message`` is plain Chinese for the agent: the wrong value and what to do.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------- helpers

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20  # ideographic space


def _half_width(raw: str) -> str:
    """Full-width ASCII (typed with a Chinese IME) to ASCII; used for codes only."""
    return raw.translate(_FULL_WIDTH)


def _compact(raw: str) -> str:
    """A code as typed: half-width, surrounding and inner spaces removed."""
    return "".join(_half_width(raw).split())


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _first_non_digit(text: str) -> int:
    return next(i for i, char in enumerate(text) if not _ascii_digits(char))


# --------------------------------------------------------------------------- text

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_text(
    raw: str,
    *,
    max_length: int = DEFAULT_TEXT_MAX_LENGTH,
    min_length: int = 0,
    pattern: str | None = None,
    pattern_help: str = "",
    compact: bool = False,
) -> str:
    """Free text, kept exactly as written apart from surrounding spaces.

    Lengths count code points, so a rare character such as 𠮷 counts once.
    ``compact`` removes inner spaces too (account numbers typed in groups).
    """
    value = _compact(raw) if compact else raw.strip()
    if _CONTROL.search(value):
        raise InvalidValue(f"“{value}”里有换行或控制字符，请只填一行文字")
    if len(value) > max_length:
        raise InvalidValue(f"内容太长：{len(value)}个字，最多{max_length}个字，请精简")
    if len(value) < min_length:
        raise InvalidValue(f"“{value}”太短：至少要{min_length}个字，请填写完整")
    if pattern is not None and not re.fullmatch(pattern, value):
        raise InvalidValue(f"“{value}”格式不对，应为{pattern_help or '规定格式'}，请核对")
    return value


# --------------------------------------------------------------------------- numbers

_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_MONEY = re.compile(r"\d+(\.\d{1,2})?", re.ASCII)
_MONEY_DECORATION = re.compile(r"^[¥￥]|元$|,")


def check_integer(raw: str, *, min: int | None = None, max: int | None = None) -> int:
    """A whole number in Arabic digits, within ``min``..``max`` when given."""
    text = _compact(raw)
    if not _INTEGER.fullmatch(text):
        raise InvalidValue(f"“{raw.strip()}”不是整数，请只填阿拉伯数字，例如 3")
    value = int(text)
    if min is not None and value < min:
        raise InvalidValue(f"“{value}”太小：不能小于{min}，请核对")
    if max is not None and value > max:
        raise InvalidValue(f"“{value}”太大：不能大于{max}，请核对")
    return value


def check_money(
    raw: str, *, min: str | int | None = None, max: str | int | None = None
) -> str:
    """A non-negative amount in yuan with at most two decimals, as ``"1200.00"``.

    Accepts ``1,200``, ``¥1200`` and ``1200元``; never rounds a third decimal away.
    """
    text = _MONEY_DECORATION.sub("", _compact(raw))
    if text.startswith("-"):
        raise InvalidValue(f"金额“{raw.strip()}”不能是负数，请填 0 或正数")
    if not _MONEY.fullmatch(text):
        raise InvalidValue(
            f"金额“{raw.strip()}”格式不对：请填以元为单位的数字，最多两位小数，例如 1200.50"
        )
    value = Decimal(text)
    if min is not None and value < Decimal(str(min)):
        raise InvalidValue(f"金额“{text}”太小：不能少于{min}元，请核对")
    if max is not None and value > Decimal(str(max)):
        raise InvalidValue(f"金额“{text}”太大：不能超过{max}元，请核对")
    return f"{value:.2f}"


# --------------------------------------------------------------------------- dates

_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
_DATE_SEPARATED = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", re.ASCII)
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def _parse_date(text: str) -> date | None:
    match = _DATE_COMPACT.fullmatch(text) or _DATE_SEPARATED.fullmatch(text)
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _date_bound(bound: str | date | None, today: date) -> date | None:
    if bound is None or isinstance(bound, date):
        return bound
    return today if bound == "today" else date.fromisoformat(bound)


def check_date(
    raw: str,
    *,
    min: str | date | None = None,
    max: str | date | None = None,
    today: date | None = None,
) -> str:
    """A real calendar date, returned as ``YYYY-MM-DD``.

    Accepts ``2024-03-01``, ``20240301``, ``2024/3/1`` and ``2024年3月1日``. ``min`` and
    ``max`` are ISO dates or ``"today"``; without them the date must lie in 1900–2099.
    """
    text = _compact(raw)
    value = _parse_date(text)
    if value is None:
        raise InvalidValue(
            f"“{raw.strip()}”不是有效日期，请按“年-月-日”填写，例如 2024-03-01"
        )
    today = today or date.today()
    low = _date_bound(min, today) or EARLIEST_DATE
    high = _date_bound(max, today) or LATEST_DATE
    if value < low:
        raise InvalidValue(f"日期“{value}”太早：不能早于{low}，请核对")
    if value > high:
        when = "今天" if max == "today" else str(high)
        raise InvalidValue(f"日期“{value}”太晚：不能晚于{when}，请核对")
    return value.isoformat()


# --------------------------------------------------------------------------- choices

_TRUE_WORDS = frozenset({"是", "y", "yes", "true", "1", "对", "有"})
_FALSE_WORDS = frozenset({"否", "n", "no", "false", "0", "不", "无", "没有"})


def check_choice(raw: str, *, choices: tuple[str, ...] | list[str]) -> str:
    """One of the item's listed choices, exactly as listed."""
    value = raw.strip()
    if value not in choices:
        listed = "、".join(choices)
        raise InvalidValue(f"“{value}”不是可选项，请从以下选一个：{listed}")
    return value


def check_bool(raw: str) -> bool:
    """是/否, y/n, yes/no, true/false, 1/0 (any case) to a bool."""
    word = _compact(raw).lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise InvalidValue(f"“{raw.strip()}”不是“是”或“否”，请填“是”或“否”")


# --------------------------------------------------------------------------- ID number


def _id_birth(text: str, raw: str, today: date) -> None:
    born = _parse_date(text[6:14])
    if born is None:
        raise InvalidValue(
            f"身份证号“{raw}”第7-14位的出生日期“{text[6:14]}”不是真实日期，请核对证件"
        )
    if born < EARLIEST_DATE:
        raise InvalidValue(f"身份证号“{raw}”的出生日期{born}早于1900年，请核对证件")
    if born > today:
        raise InvalidValue(f"身份证号“{raw}”的出生日期{born}在今天之后，请核对证件")


def _id_from_15(text: str, raw: str, today: date) -> str:
    if not _ascii_digits(text):
        position = _first_non_digit(text) + 1
        raise InvalidValue(f"15位身份证号“{raw}”第{position}位不是数字，请核对证件")
    first17 = text[:6] + "19" + text[6:]
    _id_birth(first17, raw, today)
    return first17 + mod11_2_check_char(first17)


def _id_from_18(text: str, raw: str, today: date) -> str:
    if not _ascii_digits(text[:17]):
        position = _first_non_digit(text) + 1
        raise InvalidValue(
            f"身份证号“{raw}”第{position}位“{text[position - 1]}”不对：前17位只能是数字，请核对证件"
        )
    _id_birth(text, raw, today)
    expected = mod11_2_check_char(text[:17])
    if text[17] != expected:
        raise InvalidValue(f"身份证号“{raw}”最后一位校验码不对，应为 {expected}，请核对证件")
    return text


def check_id_number(raw: str, *, today: date | None = None) -> str:
    """A resident ID number (GB 11643), returned as 18 characters, ``X`` upper-case.

    Checks the MOD 11-2 character and the birth date (real, 1900 or later, not in the
    future). A legacy 15-digit number is converted to 18 digits. Residence permits
    (810000/820000/830000) and the 9-prefixed foreigner card pass like any other; an
    unknown region code is never a reason to reject.
    """
    text = _compact(raw).upper()
    shown = raw.strip()
    today = today or date.today()
    if len(text) == 18:
        return _id_from_18(text, shown, today)
    if len(text) == 15:
        return _id_from_15(text, shown, today)
    raise InvalidValue(
        f"身份证号“{shown}”是{len(text)}位，应为18位（老证15位），请核对证件"
    )


def id_number_birth_date(num: str) -> date:
    """Birth date carried in an ID number (18- or 15-digit)."""
    text = check_id_number(num)
    return date(int(text[6:10]), int(text[10:12]), int(text[12:14]))


def id_number_sex(num: str) -> str:
    """"男" or "女", from the parity of the 17th digit (odd = male)."""
    text = check_id_number(num)
    return "男" if int(text[16]) % 2 else "女"


# --------------------------------------------------------------------------- USCC


def check_uscc(raw: str) -> str:
    """A unified social credit code (GB 32100), returned upper-case.

    Letter-first codes (N… for rural collectives, Y… and others) are accepted.
    """
    text = _compact(raw).upper()
    shown = raw.strip()
    if len(text) != 18:
        raise InvalidValue(
            f"统一社会信用代码“{shown}”是{len(text)}位，应为18位，请核对营业执照或登记证书"
        )
    for position, char in enumerate(text, start=1):
        if char not in USCC_ALPHABET:
            raise InvalidValue(
                f"统一社会信用代码“{shown}”第{position}位“{char}”不对："
                "不会出现 I、O、S、V、Z 等字母，请核对证书"
            )
    if not text[2:8].isdigit():
        raise InvalidValue(
            f"统一社会信用代码“{shown}”第3-8位应为行政区划代码（6位数字），请核对证书"
        )
    expected = uscc_check_char(text[:17])
    if text[17] != expected:
        raise InvalidValue(
            f"统一社会信用代码“{shown}”最后一位校验码不对，应为 {expected}，请逐位核对证书"
        )
    return text


# --------------------------------------------------------------------------- phone

_MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)
_LANDLINE = re.compile(r"(0(?:[12]\d|[3-9]\d{2}))-?([2-9]\d{6,7})", re.ASCII)
_COUNTRY_PREFIX = re.compile(r"^(?:\+86|0086|86)(?=1\d{10}$)", re.ASCII)


def _landline(text: str) -> str | None:
    match = _LANDLINE.fullmatch(text)
    return f"{match[1]}-{match[2]}" if match else None


def _phone_problem(shown: str, digits: str, fixed: bool, landline: bool) -> str:
    if landline:
        return f"电话“{shown}”既不是11位手机号，也不是带区号的固定电话（如 027-87654321），请核对"
    if fixed:
        return f"“{shown}”是固定电话，这里要填11位手机号，请核对"
    if not _ascii_digits(digits) or len(digits) != 11:
        return f"手机号“{shown}”应为11位数字，请核对"
    return f"手机号“{shown}”不对：大陆手机号以13-19开头，请核对"


def check_phone(raw: str, *, landline: bool = False) -> str:
    """A mainland mobile number (11 digits, 1[3-9]…), returned as 11 digits.

    With ``landline`` a fixed line with its area code is accepted too, returned as
    ``027-87654321``. A ``+86`` prefix and spaces or hyphens are dropped.
    """
    text = _compact(raw)
    digits = _COUNTRY_PREFIX.sub("", text.replace("-", ""))
    if _MOBILE.fullmatch(digits):
        return digits
    fixed = _landline(text)
    if fixed is not None and landline:
        return fixed
    raise InvalidValue(_phone_problem(raw.strip(), digits, fixed is not None, landline))


# --------------------------------------------------------------------------- division code


def _division_problem(text: str) -> str | None:
    if not (len(text) == 12 and _ascii_digits(text)):
        return f"应为12位数字（现在是{len(text)}位）"
    if text[:2] not in PROVINCE_CODES:
        return f"前两位省级代码“{text[:2]}”不存在"
    parts = (text[2:4], text[4:6], text[6:9], text[9:12])
    for upper, lower in zip(parts, parts[1:], strict=False):
        if int(upper) == 0 and int(lower) != 0:
            return "上一级代码为0时，下一级也应为0"
    if int(text[6:9]) >= 600:
        return f"第7-9位乡级代码“{text[6:9]}”超出范围（街道001-099，镇100-199，乡200-399）"
    if int(text[9:12]) >= 600:
        return f"第10-12位村级代码“{text[9:12]}”超出范围（社区001-199，村200-399）"
    return None


def check_division_code(raw: str) -> str:
    """A 12-digit statistical division code (统计用区划代码).

    2 province (a real province), 2 prefecture, 2 county, 3 township (001-099 street,
    100-199 town, 200-399 township, 400-599 other township-level units), 3 village
    (001-199 community, 200-399 village, 400-599 similar bodies). Once a part is zero,
    every part below it is zero too (420115000000 is the county itself).
    """
    text = _compact(raw)
    problem = _division_problem(text)
    if problem is not None:
        raise InvalidValue(f"区划代码“{raw.strip()}”不对：{problem}，请核对统计用区划代码")
    return text


# --------------------------------------------------------------------------- masks


def mask_id_number(num: str) -> str:
    """Keep the first 4 and last 4 characters: ``4201**********123X``."""
    text = num.strip()
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 digits: ``138****5678``; separators stay."""
    text = phone.strip()
    digit_positions = [i for i, char in enumerate(text) if char.isdigit()]
    if len(digit_positions) <= 7:
        return "".join("*" if char.isdigit() else char for char in text)
    hidden = set(digit_positions[3:-4])
    return "".join("*" if i in hidden else char for i, char in enumerate(text))


def mask_name(name: str) -> str:
    """Surname plus ``*``: 张三丰 → 张*, 欧阳娜娜 → 欧阳*, 𠮷祥 → 𠮷*.

    Python strings index code points, so a character outside the BMP is never split;
    the name is never normalised.
    """
    text = name.strip()
    if not text:
        return "*"
    if len(text) > 2 and text[:2] in COMPOUND_SURNAMES:
        return text[:2] + "*"
    return text[0] + "*"


# --------------------------------------------------------------------------- dispatch

FieldValue = str | int | bool
"""A form answer once checked: text (money and dates as normalised text), a whole number or yes/no."""
_Check = Callable[..., FieldValue]
_CHECKS: dict[str, _Check] = {
    "text": check_text,
    "integer": check_integer,
    "money": check_money,
    "date": check_date,
    "choice": check_choice,
    "bool": check_bool,
    "id_number": check_id_number,
    "uscc": check_uscc,
    "phone": check_phone,
    "division_code": check_division_code,
}
_TAKES_TODAY = frozenset({"date", "id_number"})


def validate_field(spec: FieldSpec, raw: object, *, today: date | None = None) -> FieldValue | None:
    """The normalised value of one field, or ``None`` for a blank optional field.

    ``raw`` is the text as typed (anything else is read as its ``str``). Raises
    :class:`InvalidValue` for a blank required field or a wrong value.
    """
    raw = None if raw is None else str(raw)
    if raw is None or not raw.strip():
        if spec.required:
            raise InvalidValue("必填，请填写")
        return None
    options: dict[str, object] = dict(spec.rules)
    if spec.type == "choice":
        options["choices"] = spec.choices
    if spec.type in _TAKES_TODAY and today is not None:
        options["today"] = today
    return _CHECKS[spec.type](raw, **options)


def _unknown_key_problem(key: str, item: ServiceItem) -> str:
    known = "、".join(spec.key for spec in item.fields) or "（本事项没有表单字段）"
    return f"{key}：本事项没有“{key}”这一项，请删去；可填的有：{known}"


def validate_form(
    item: ServiceItem, raw: Mapping[str, object], *, today: date | None = None
) -> tuple[dict[str, FieldValue], list[str]]:
    """Check every field of ``item`` at once.

    Returns the clean values (blank optional fields left out) and every problem as a
    Chinese message prefixed with the field's label, including required fields that
    are missing and keys the item does not have. Nothing is valid unless the list
    is empty.
    """
    values: dict[str, FieldValue] = {}
    problems: list[str] = []
    for spec in item.fields:
        try:
            value = validate_field(spec, raw.get(spec.key), today=today)
        except InvalidValue as error:
            problems.append(f"{spec.label}：{error.message}")
            continue
        if value is not None:
            values[spec.key] = value
    known = {spec.key for spec in item.fields}
    problems.extend(_unknown_key_problem(key, item) for key in raw if key not in known)
    return values, problems
