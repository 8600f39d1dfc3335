"""What a service item is (after GB/T 39554), and loading one from a TOML file.

An item file is checked completely on load: every problem found is reported at once in
a :class:`CatalogueError` that names the file and the item, so a catalogue maintainer
fixes a file in one pass.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, TypedDict, TypeVar

from forms.statutory import STATUTORY_PAUSES
from forms.validators import InvalidValue, validate_field

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = [
    "CatalogueError",
    "FIELD_TYPES",
    "FieldSpec",
    "ITEM_KINDS",
    "LEVELS",
    "MATERIAL_FORMS",
    "MaterialSpec",
    "STATUTORY_PAUSES",
    "ServiceItem",
    "item_from_bytes",
    "load_item",
    "parse_item",
]

ITEM_KINDS = (
    "行政许可", "行政处罚", "行政强制", "行政征收", "行政给付", "行政检查",
    "行政确认", "行政奖励", "行政裁决", "其他行政权力", "公共服务",
)  # fmt: skip
"""Service-item types of GB/T 39554."""

LEVELS = ("village", "township", "county", "city")
FIELD_TYPES = (
    "text", "integer", "money", "date", "choice", "bool",
    "id_number", "uscc", "phone", "division_code",
)  # fmt: skip
MATERIAL_FORMS = ("original", "copy", "original_and_copy")

Level = Literal["village", "township", "county", "city"]
MaterialForm = Literal["original", "copy", "original_and_copy"]
_LEVELS: tuple[Level, ...] = ("village", "township", "county", "city")
_FORMS: tuple[MaterialForm, ...] = ("original", "copy", "original_and_copy")
RuleValue = str | int | bool
"""A field rule's value (``max_length = 20``, ``pattern = "..."``, ``landline = true``)."""

MAX_CODE_LENGTH = 64

EXAMPLES_CHECKED_AS_OF = date(2025, 1, 1)
"""Examples are checked as of today, but never as of a day before this one: a village
PC whose clock was reset to 2000 must still load its catalogue. Date examples bounded
by ``max = "today"`` therefore lie on or before this day."""


class CatalogueError(Exception):
    """An item file (or a catalogue directory) that cannot be used, with every problem.

    ``path`` is the file, ``item`` the item's code (or the file name when the code
    itself is missing), ``problems`` every problem found, in file order.
    """

    def __init__(self, path: str, item: str, problems: Iterable[str]) -> None:
        self.path = path
        self.item = item
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(
            f"事项文件 {path}（事项 {item}）有 {len(self.problems)} 处问题：\n{lines}"
        )


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """One form field of an item; ``example`` passes the field's own validator."""

    key: str
    label: str
    type: str
    required: bool = True
    choices: tuple[str, ...] = ()
    rules: dict[str, RuleValue] = dataclasses.field(default_factory=dict, hash=False)
    example: str = ""
    help: str = ""


@dataclasses.dataclass(frozen=True)
class MaterialSpec:
    """One material of an item; a ``deferrable`` one may be owed for ``defer_days`` (容缺)."""

    key: str
    name: str
    form: MaterialForm = "original"
    copies: int = 1
    required: bool = True
    deferrable: bool = False
    defer_days: int | None = None
    source: str = ""


@dataclasses.dataclass(frozen=True)
class ServiceItem:
    """A service item (政务服务事项) of one version.

    ``level`` is the level that decides. ``legal_days`` and ``promise_days`` are working
    days; ``legal_days = 0`` means no statutory limit, ``instant`` items (即办件) have
    ``promise_days = 0``. ``conditions`` are shown to the agent, never enforced.
    """

    code: str
    name: str
    version: int
    kind: str
    level: Level
    legal_days: int
    promise_days: int
    instant: bool
    fee: str
    on_behalf: bool
    basis: str
    conditions: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    materials: tuple[MaterialSpec, ...]
    result: str
    keywords: tuple[str, ...] = ()
    max_extension_days: int = 0
    """Working days the law allows the limit to be extended by, with approval (延期, Art. 42); 0: none."""
    pauses: tuple[str, ...] = ()
    """Statutory pauses (from ``STATUTORY_PAUSES``) this item may have; their days are not counted."""
    public_notice_days: int = 0
    """Length of the item's 公示 in calendar days (低保: 7); its expected end when none is given."""

    def field(self, key: str) -> FieldSpec:
        """The field called ``key``; ``KeyError`` if the item has none."""
        for spec in self.fields:
            if spec.key == key:
                return spec
        raise KeyError(key)

    def material(self, key: str) -> MaterialSpec:
        """The material called ``key``; ``KeyError`` if the item has none."""
        for spec in self.materials:
            if spec.key == key:
                return spec
        raise KeyError(key)

    @functools.cached_property
    def materials_by_key(self) -> Mapping[str, MaterialSpec]:
        """Each material under its key, made once (the item is frozen): the city hall checks every
        ``received`` filed under the item against it. Read it, never change it."""
        return {spec.key: spec for spec in self.materials}

    @functools.cached_property
    def material_entries(self) -> frozenset[tuple[str, str, bool, bool, int | None, str | None]]:
        """Every (key, name, required, deferrable, defer_days, status) a case filed under this item
        may list, made once (the item is frozen): a material as the catalogue has it, received, of
        no status, owed (``deferred``) when it is deferrable, or ``missing`` when it is optional."""
        statuses = ("received", None)
        return frozenset((spec.key, spec.name, spec.required, spec.deferrable, spec.defer_days, status)
                         for spec in self.materials_by_key.values()
                         for status in statuses + ("deferred",) * spec.deferrable + ("missing",) * (not spec.required))

    @functools.cached_property
    def required_keys(self) -> frozenset[str]:
        """The keys of the materials a case must list, made once (the item is frozen)."""
        return frozenset(spec.key for spec in self.materials if spec.required)

    @functools.cached_property
    def field_keys(self) -> frozenset[str]:
        """The keys of the item's form fields, made once (the item is frozen)."""
        return frozenset(spec.key for spec in self.fields)

    @property
    def required_materials(self) -> tuple[MaterialSpec, ...]:
        return tuple(spec for spec in self.materials if spec.required)

    @property
    def deferrable_materials(self) -> tuple[MaterialSpec, ...]:
        return tuple(spec for spec in self.materials if spec.deferrable)

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready data (the shape ``station items --json`` builds on)."""
        return dataclasses.asdict(self)


# --------------------------------------------------------------------------- loading

_ITEM_REQUIRED = (
    "code", "name", "kind", "level", "legal_days", "promise_days", "instant",
    "fee", "on_behalf", "basis", "fields", "materials", "result",
)  # fmt: skip
_ITEM_OPTIONAL = ("version", "conditions", "keywords", "max_extension_days", "pauses", "public_notice_days")
_FIELD_REQUIRED = ("key", "label", "type", "example")
_FIELD_OPTIONAL = ("required", "choices", "rules", "help")
_MATERIAL_REQUIRED = ("key", "name", "form")
_MATERIAL_OPTIONAL = ("copies", "required", "deferrable", "defer_days", "source")

_RULES: dict[str, dict[str, type | tuple[type, ...]]] = {
    "text": {"max_length": int, "min_length": int, "pattern": str,
             "pattern_help": str, "compact": bool},
    "integer": {"min": int, "max": int},
    "money": {"min": (int, str), "max": (int, str)},
    "date": {"min": str, "max": str},
    "phone": {"landline": bool},
}  # fmt: skip
_KEY = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)
_VERSIONED_NAME = re.compile(r"(?P<code>.+)\.v(?P<version>\d+)\.toml")

_TYPE_NAMES = {str: "文字", int: "整数", bool: "true/false", list: "列表", dict: "表"}


class _Problems:
    """Collects problems while one file is read."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}：{message}")


def _is(value: object, expected: type | tuple[type, ...]) -> bool:
    """isinstance, except that a bool is not an int here."""
    if isinstance(value, bool):
        return expected is bool or (isinstance(expected, tuple) and bool in expected)
    return isinstance(value, expected)


def _type_name(expected: type | tuple[type, ...]) -> str:
    types = expected if isinstance(expected, tuple) else (expected,)
    return "或".join(_TYPE_NAMES.get(kind, kind.__name__) for kind in types)


_T = TypeVar("_T")
_D = TypeVar("_D")
_L = TypeVar("_L", bound=str)


def _take(
    table: Mapping[str, object],
    key: str,
    expected: type[_T],
    where: str,
    problems: _Problems,
    default: _D,
    required: bool = True,
) -> _T | _D:
    """``table[key]`` if present and of the expected type; records a problem if not."""
    if key not in table:
        if required:
            problems.add(where, f"缺少 {key}")
        return default
    value = table[key]
    if isinstance(value, expected) and _is(value, expected):
        return value
    problems.add(where, f"{key} 应为{_type_name(expected)}，现在是 {value!r}")
    return default


def _unknown_keys(
    table: Mapping[str, object], allowed: Iterable[str], where: str, problems: _Problems
) -> None:
    for key in sorted(table.keys() - set(allowed)):
        problems.add(where, f"未知的键 {key}")


def _strings(value: list[object], key: str, where: str, problems: _Problems) -> tuple[str, ...]:
    texts = tuple(entry for entry in value if isinstance(entry, str))
    if len(texts) < len(value):
        problems.add(where, f"{key} 的每一项都应为文字")
        return ()
    return texts


def _duplicates(keys: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for key in keys:
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    return repeated


# --------------------------------------------------------------------------- fields


def _check_rules(
    rules: Mapping[str, object], field_type: str, where: str, problems: _Problems
) -> None:
    allowed = _RULES.get(field_type, {})
    for name, value in rules.items():
        if name not in allowed:
            problems.add(where, f"类型 {field_type} 没有规则 {name}")
        elif not _is(value, allowed[name]):
            problems.add(where, f"规则 {name} 应为{_type_name(allowed[name])}，现在是 {value!r}")
    pattern = rules.get("pattern")
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except re.error as error:
            problems.add(where, f"规则 pattern 不是有效的正则表达式：{error}")
        if "pattern_help" not in rules:
            problems.add(where, "有 pattern 时要写 pattern_help，告诉办事员应填什么格式")
    for name in ("min", "max"):
        bound = rules.get(name)
        if isinstance(bound, str) and not _bound_parses(field_type, bound):
            problems.add(where, f"规则 {name} = “{bound}”不是有效的{_BOUND_HINT[field_type]}")
    _check_bounds_order(rules, where, problems)


_BOUND_HINT = {"date": "日期（YYYY-MM-DD 或 today）", "money": "金额"}


def _bound_parses(field_type: str, bound: str) -> bool:
    try:
        if field_type == "date":
            return bound == "today" or bool(date.fromisoformat(bound))
        return Decimal(bound).is_finite()
    except (ValueError, ArithmeticError):
        return False


def _check_bounds_order(rules: Mapping[str, object], where: str, problems: _Problems) -> None:
    for low_name, high_name in (("min", "max"), ("min_length", "max_length")):
        low, high = rules.get(low_name), rules.get(high_name)
        if isinstance(low, int) and isinstance(high, int) and _is(low, int) and _is(high, int) and low > high:
            problems.add(where, f"规则 {low_name} = {low} 大于 {high_name} = {high}")


def _check_example(spec: FieldSpec, where: str, problems: _Problems) -> None:
    if not spec.example.strip():
        problems.add(where, "example 不能为空：每个字段都要有一个能通过校验的示例")
        return
    try:
        validate_field(spec, spec.example, today=max(date.today(), EXAMPLES_CHECKED_AS_OF))
    except InvalidValue as error:
        problems.add(where, f"example “{spec.example}”通不过本字段的校验：{error.message}")


def _check_choices(
    field_type: str, choices: tuple[str, ...], where: str, problems: _Problems
) -> None:
    if field_type == "choice" and not choices:
        problems.add(where, "choice 类型必须列出 choices")
    if field_type != "choice" and choices:
        problems.add(where, f"只有 choice 类型才能有 choices，这里是 {field_type}")
    for repeated in _duplicates(choices):
        problems.add(where, f"choices 里“{repeated}”重复")


def _take_key(table: Mapping[str, object], where: str, problems: _Problems) -> str:
    """The entry's key: used on the command line as ``--field KEY=VALUE``."""
    key = _take(table, "key", str, where, problems, "")
    if key and not _KEY.fullmatch(key):
        problems.add(where, f"key “{key}”只能用小写字母、数字和下划线，且以字母开头")
    return key


def _field_type(table: Mapping[str, object], where: str, problems: _Problems) -> str:
    field_type = _take(table, "type", str, where, problems, "text")
    if field_type not in FIELD_TYPES:
        problems.add(where, f"type “{field_type}”不存在，可用：{'、'.join(FIELD_TYPES)}")
    return field_type


def _parse_field(table: object, where: str, problems: _Problems) -> FieldSpec | None:
    if not isinstance(table, dict):
        problems.add(where, "应为一个表（[[fields]]）")
        return None
    _unknown_keys(table, _FIELD_REQUIRED + _FIELD_OPTIONAL, where, problems)
    choices: list[object] = _take(table, "choices", list, where, problems, [], False)
    rules: dict[str, object] = _take(table, "rules", dict, where, problems, {}, False)
    spec = FieldSpec(
        key=_take_key(table, where, problems),
        label=_take(table, "label", str, where, problems, ""),
        type=_field_type(table, where, problems),
        required=_take(table, "required", bool, where, problems, True, False),
        choices=_strings(choices, "choices", where, problems),
        rules=_rule_values(rules),
        example=_take(table, "example", str, where, problems, ""),
        help=_take(table, "help", str, where, problems, "", False),
    )
    before = len(problems.items)
    _check_choices(spec.type, spec.choices, where, problems)
    _check_rules(rules, spec.type, where, problems)
    # Only a sound type, choices and rules can judge the example; a missing one is reported.
    if len(problems.items) == before and spec.type in FIELD_TYPES and "example" in table:
        _check_example(spec, where, problems)
    return spec


def _rule_values(rules: Mapping[str, object]) -> dict[str, RuleValue]:
    """The rules a field keeps: values of any other type are reported by ``_check_rules``."""
    return {str(name): value for name, value in rules.items() if isinstance(value, str | int | bool)}


# --------------------------------------------------------------------------- materials


def _check_deferral(
    spec: MaterialSpec, promise_days: int | None, where: str, problems: _Problems
) -> None:
    if spec.deferrable and not spec.required:
        problems.add(where, "容缺材料必须是必交材料（required = true）")
    if spec.deferrable and spec.defer_days is None:
        problems.add(where, "容缺材料要写 defer_days（补交期限，工作日）")
    if not spec.deferrable and spec.defer_days is not None:
        problems.add(where, "只有容缺材料（deferrable = true）才有 defer_days")
    if spec.defer_days is not None and spec.defer_days < 1:
        problems.add(where, f"defer_days 应至少为 1，现在是 {spec.defer_days}")
    too_late = promise_days is not None and (spec.defer_days or 0) > promise_days
    if too_late:
        problems.add(
            where,
            f"补交期限 defer_days = {spec.defer_days} 超过了承诺时限 promise_days = {promise_days}"
            "（容缺补交期限不得超过承诺时限）",
        )


def _parse_material(
    table: object, promise_days: int | None, where: str, problems: _Problems
) -> MaterialSpec | None:
    if not isinstance(table, dict):
        problems.add(where, "应为一个表（[[materials]]）")
        return None
    _unknown_keys(table, _MATERIAL_REQUIRED + _MATERIAL_OPTIONAL, where, problems)
    key = _take_key(table, where, problems)
    form = _take(table, "form", str, where, problems, "original")
    if form not in _FORMS:
        problems.add(where, f"form “{form}”不存在，可用：{'、'.join(MATERIAL_FORMS)}")
    copies = _take(table, "copies", int, where, problems, 1, False)
    if copies < 1:
        problems.add(where, f"copies 应至少为 1，现在是 {copies}")
    spec = MaterialSpec(
        key=key,
        name=_take(table, "name", str, where, problems, ""),
        form=_one_of(_FORMS, form),
        copies=copies,
        required=_take(table, "required", bool, where, problems, True, False),
        deferrable=_take(table, "deferrable", bool, where, problems, False, False),
        defer_days=_take(table, "defer_days", int, where, problems, None, False),
        source=_take(table, "source", str, where, problems, "", False),
    )
    _check_deferral(spec, promise_days, where, problems)
    return spec


# --------------------------------------------------------------------------- items


def _one_of(allowed: tuple[_L, ...], value: str | None) -> _L:
    """``value`` as one of ``allowed`` (the first when it is none of them: that is reported)."""
    return next((choice for choice in allowed if choice == value), allowed[0])


def _entry_place(list_key: str, index: int, entry: object) -> str:
    """Where an entry sits, for messages: ``fields[2]（household_size）``."""
    own_key = entry.get("key") if isinstance(entry, dict) else None
    return f"{list_key}[{index}]" + (f"（{own_key}）" if isinstance(own_key, str) else "")


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


_K = TypeVar("_K", bound=_Keyed)


def _parse_list(
    data: Mapping[str, object],
    key: str,
    parse: Callable[[object, str], _K | None],
    problems: _Problems,
) -> tuple[_K, ...]:
    entries: list[object] = _take(data, key, list, "事项", problems, [])
    parsed = [parse(entry, _entry_place(key, i, entry)) for i, entry in enumerate(entries)]
    specs = tuple(spec for spec in parsed if spec is not None)
    for repeated in _duplicates(spec.key for spec in specs if spec.key):
        problems.add(key, f"key “{repeated}”重复")
    return specs


def _check_code(code: str, problems: _Problems) -> None:
    if code and (len(code) > MAX_CODE_LENGTH or not code.isprintable() or " " in code):
        problems.add("code", f"编码“{code}”应为不含空白的文字，最长 {MAX_CODE_LENGTH} 个字符")


def _check_days(data: Mapping[str, object], problems: _Problems) -> tuple[int, int | None, bool]:
    legal = _take(data, "legal_days", int, "事项", problems, None)
    promise = _take(data, "promise_days", int, "事项", problems, None)
    instant = _take(data, "instant", bool, "事项", problems, False)
    for key, days in (("legal_days", legal), ("promise_days", promise)):
        if days is not None and days < 0:
            problems.add(key, f"不能为负数，现在是 {days}")
    if instant and promise not in (None, 0):
        problems.add("promise_days", f"即办件（instant = true）的承诺时限应为 0，现在是 {promise}")
    if not instant and promise == 0:
        problems.add("promise_days", "承诺件的承诺时限至少 1 个工作日；当场办结的请写 instant = true")
    if legal and promise is not None and promise > legal:  # legal_days = 0: no statutory limit
        problems.add("promise_days", f"承诺时限 {promise} 天超过了法定时限 legal_days = {legal}")
    return legal or 0, promise, instant


def _check_choice_of(value: object, allowed: tuple[str, ...], key: str, problems: _Problems) -> None:
    if value is not None and value not in allowed:
        problems.add(key, f"“{value}”不存在，可用：{'、'.join(allowed)}")


def _file_version(name: str, code: str, data: Mapping[str, object], problems: _Problems) -> int:
    """The version from ``version = N`` or the ``{code}.v{N}.toml`` file name (default 1)."""
    inside = _take(data, "version", int, "事项", problems, None, False)
    match = _VERSIONED_NAME.fullmatch(name)
    if match is None:
        return inside if inside is not None else 1
    if code and match["code"] != code:
        problems.add("code", f"文件名里的编码“{match['code']}”与 code “{code}”不一致")
    from_name = int(match["version"])
    if inside is not None and inside != from_name:
        problems.add("version", f"version = {inside} 与文件名里的 v{from_name} 不一致")
    return from_name


class _ClockRules(TypedDict):
    max_extension_days: int
    pauses: tuple[str, ...]
    public_notice_days: int


class _Scalars(_ClockRules):
    """Every element of an item but its fields and materials."""

    code: str
    version: int
    kind: str
    level: Level
    legal_days: int
    promise_days: int
    instant: bool
    on_behalf: bool
    name: str
    fee: str
    basis: str
    result: str
    conditions: tuple[str, ...]
    keywords: tuple[str, ...]


def _scalars(data: Mapping[str, object], name: str, problems: _Problems) -> tuple[_Scalars, int | None]:
    """Every element of the item but its fields and materials; the promise as written (None: missing)."""
    _unknown_keys(data, _ITEM_REQUIRED + _ITEM_OPTIONAL, "事项", problems)
    code = _take(data, "code", str, "事项", problems, "")
    _check_code(code, problems)
    version = _file_version(name, code, data, problems)
    if version < 1:
        problems.add("version", f"版本号应从 1 开始，现在是 {version}")
    kind = _take(data, "kind", str, "事项", problems, None)
    level = _take(data, "level", str, "事项", problems, None)
    _check_choice_of(kind, ITEM_KINDS, "kind", problems)
    _check_choice_of(level, LEVELS, "level", problems)
    legal, promise, instant = _check_days(data, problems)

    name_, fee, basis, result = (_take(data, key, str, "事项", problems, "") for key in ("name", "fee", "basis", "result"))
    conditions, keywords = (_strings(_take(data, key, list, "事项", problems, [], False), key, "事项", problems)
                            for key in ("conditions", "keywords"))
    return {
        "code": code, "version": version, "kind": kind or "", "level": _one_of(_LEVELS, level),
        "legal_days": legal, "promise_days": promise or 0, "instant": instant,
        "on_behalf": _take(data, "on_behalf", bool, "事项", problems, False),
        "name": name_, "fee": fee, "basis": basis, "result": result,
        "conditions": conditions, "keywords": keywords, **_clock_rules(data, instant, problems),
    }, promise  # fmt: skip


def _clock_rules(data: Mapping[str, object], instant: bool, problems: _Problems) -> _ClockRules:
    """How the item's clock may stop or stretch: extension days, statutory pauses, 公示 length."""
    extension = _take(data, "max_extension_days", int, "事项", problems, 0, False)
    notice_days = _take(data, "public_notice_days", int, "事项", problems, 0, False)
    raw_pauses = _take(data, "pauses", list, "事项", problems, [], False)
    pauses = _strings(raw_pauses, "pauses", "事项", problems)
    for key, days in (("max_extension_days", extension), ("public_notice_days", notice_days)):
        if days < 0 or days > 365:
            problems.add(key, f"应为 0-365，现在是 {days}")
    unknown = [p for p in pauses if p not in STATUTORY_PAUSES]
    if unknown:
        problems.add("pauses", f"“{'、'.join(unknown)}”不是法定不计时的环节，可用：{'、'.join(STATUTORY_PAUSES)}")
    if notice_days and "公示" not in pauses:
        problems.add("public_notice_days", "设置了公示天数，pauses 里却没有“公示”")
    if instant and (extension or pauses):
        problems.add("pauses", "即办件当场办结，不能延期或暂停计时")
    return {"max_extension_days": extension, "pauses": tuple(dict.fromkeys(pauses)),
            "public_notice_days": notice_days}


def _build_item(data: Mapping[str, object], name: str, problems: _Problems) -> ServiceItem:
    scalars, promise = _scalars(data, name, problems)
    fields = _parse_list(data, "fields", lambda t, w: _parse_field(t, w, problems), problems)
    materials = _parse_list(
        data, "materials", lambda t, w: _parse_material(t, promise, w, problems), problems
    )
    if "materials" in data and not materials:
        problems.add("materials", "至少要列出一项材料")
    return ServiceItem(**scalars, fields=fields, materials=materials)


def _item_label(data: Mapping[str, object], fallback: str) -> str:
    code, name = data.get("code"), data.get("name")
    if isinstance(code, str) and code:
        return f"{code} {name}" if isinstance(name, str) else code
    return fallback


def parse_item(text: str, source: str = "<text>") -> ServiceItem:
    """An item from TOML text; ``source`` is the file it came from, for messages.

    The file name part of ``source`` may carry the version: ``{code}.v{N}.toml``.
    """
    import tomllib  # only to parse: a start that finds the catalogue parsed already never needs it

    file_name = Path(source).name
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(source, file_name, [f"TOML 语法错误：{error}"]) from None
    problems = _Problems()
    item = _build_item(data, file_name, problems)
    if problems.items:
        raise CatalogueError(source, _item_label(data, file_name), problems.items)
    return item


def load_item(path: str | Path | Traversable) -> ServiceItem:
    """An item from a TOML file: a path, or any ``importlib.resources`` Traversable."""
    source = Path(path) if isinstance(path, str) else path
    return item_from_bytes(source.read_bytes(), str(source))


def item_from_bytes(data: bytes, source: str) -> ServiceItem:
    """An item from the bytes of a TOML file; ``source`` names the file, as for :func:`parse_item`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        problem = f"文件不是 UTF-8 编码：{error}"
        raise CatalogueError(source, Path(source).name, [problem]) from None
    return parse_item(text, source)
