"""The built-in catalogue, versions, search, and loading catalogue directories."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import forms
from forms import (
    Catalogue,
    CatalogueError,
    ServiceItem,
    UnknownItem,
    builtin_catalogue,
    load_catalogue,
    validate_field,
    validate_form,
)
from forms.schema import ITEM_KINDS, LEVELS

REPO = Path(forms.__file__).resolve().parent.parent
ITEMS = builtin_catalogue().items()

REQUIRED_ITEMS = {
    "城乡居民基本养老保险参保登记", "城乡居民医保参保登记", "最低生活保障申请", "临时救助",
    "残疾人证申领", "残疾人两项补贴", "高龄津贴", "生育登记", "农村宅基地和建房申请",
    "就业失业登记", "拖拉机和联合收割机驾驶证申领", "动物产地检疫申报",
}  # fmt: skip


def test_the_builtin_catalogue_has_the_reference_items() -> None:
    names = {item.name for item in ITEMS}
    assert names >= REQUIRED_ITEMS
    assert len(ITEMS) >= 13
    assert len({item.code for item in ITEMS}) == len(ITEMS)


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item.code)
def test_every_builtin_item_is_well_formed(item: ServiceItem) -> None:
    assert item.kind in ITEM_KINDS and item.level in LEVELS
    assert item.basis.startswith("《") and item.result and item.conditions
    assert item.fields and item.materials
    assert item.instant == (item.promise_days == 0)
    assert not item.legal_days or item.promise_days <= item.legal_days
    for material in item.deferrable_materials:
        assert material.required and 1 <= (material.defer_days or 0) <= item.promise_days


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item.code)
def test_every_builtin_example_passes_its_own_validation_today(item: ServiceItem) -> None:
    examples = {spec.key: spec.example for spec in item.fields}
    values, problems = validate_form(item, examples)
    assert problems == []
    assert set(values) == set(examples)
    for spec in item.fields:
        assert validate_field(spec, spec.example) == values[spec.key]


def test_the_fixed_design_item_exists() -> None:
    """At least one item decided at township level, not instant, that an agent may
    file, with a deferrable material (DESIGN §7)."""
    fitting = [
        item for item in ITEMS
        if item.level == "township" and not item.instant and item.on_behalf and item.deferrable_materials
    ]  # fmt: skip
    assert {"农村宅基地和建房申请", "高龄津贴"} <= {item.name for item in fitting}


def test_some_items_are_instant() -> None:
    instant = {item.name for item in ITEMS if item.instant}
    assert {"生育登记", "城乡居民医保参保登记"} <= instant


def test_builtin_catalogue_is_cached() -> None:
    assert builtin_catalogue() is builtin_catalogue()


# --------------------------------------------------------------------------- versions


def test_get_gives_the_newest_version_unless_one_is_named() -> None:
    catalogue = builtin_catalogue()
    code = next(item.code for item in ITEMS if item.name == "高龄津贴")
    assert catalogue.versions(code) == [1, 2]
    assert catalogue.get(code).version == 2
    old = catalogue.get(code, version=1)
    assert old.version == 1 and old.promise_days == 15
    assert catalogue.get(code, 2).promise_days == 10
    assert catalogue.get(f" {code} ") == catalogue.get(code)


def test_unknown_items_and_versions_raise_a_chinese_key_error() -> None:
    catalogue = builtin_catalogue()
    with pytest.raises(UnknownItem) as caught:
        catalogue.get("NO-SUCH-ITEM")
    assert isinstance(caught.value, KeyError)
    assert str(caught.value) == "事项目录里没有编码为“NO-SUCH-ITEM”的事项，请核对事项编码"
    code = ITEMS[0].code
    with pytest.raises(KeyError, match="没有第9版"):
        catalogue.get(code, version=9)
    assert code in catalogue and "NO-SUCH-ITEM" not in catalogue


# --------------------------------------------------------------------------- search


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("dbsq", "最低生活保障申请"),
        ("dibao", "最低生活保障申请"),
        ("低保", "最低生活保障申请"),
        ("DiBao", "最低生活保障申请"),
        ("zdshbz", "最低生活保障申请"),
        ("zuidishenghuobaozhang", "最低生活保障申请"),
        ("生活保障", "最低生活保障申请"),
        ("zjd", "农村宅基地和建房申请"),
        ("jianfang", "农村宅基地和建房申请"),
        ("gljt", "高龄津贴"),
        ("tlj", "拖拉机和联合收割机驾驶证申领"),
        ("canjiren zheng", "残疾人证申领"),
        ("syd", "生育登记"),
        ("jianyi", "动物产地检疫申报"),
    ],
)
def test_search_by_name_keyword_pinyin_and_initials(query: str, name: str) -> None:
    assert name in [item.name for item in builtin_catalogue().search(query)]


def test_search_by_code_and_ranking() -> None:
    catalogue = builtin_catalogue()
    code = next(item.code for item in ITEMS if item.name == "临时救助")
    assert catalogue.search(code)[0].code == code
    assert catalogue.search(code.lower())[0].code == code
    assert catalogue.search("临时救助")[0].name == "临时救助"
    assert catalogue.search("") == []
    assert catalogue.search("xyzxyzxyz") == []


# --------------------------------------------------------------------------- directories

ITEM_TEMPLATE = """
code = "{code}"
name = "{name}"
{version}
kind = "公共服务"
level = "township"
legal_days = 0
promise_days = {promise}
instant = false
fee = "不收费"
on_behalf = true
basis = "《测试条例》"
result = "结果"

[[fields]]
key = "note"
label = "备注"
type = "text"
example = "无"

[[materials]]
key = "form"
name = "申请表"
form = "original"
"""


def item_text(code: str, name: str = "测试", version: int | None = None, promise: int = 5) -> str:
    line = f"version = {version}" if version is not None else ""
    return ITEM_TEMPLATE.format(code=code, name=name, version=line, promise=promise)


def test_load_catalogue_keeps_every_version(tmp_path: Path) -> None:
    (tmp_path / "A-1.v1.toml").write_text(item_text("A-1", promise=5), encoding="utf-8")
    (tmp_path / "A-1.v2.toml").write_text(item_text("A-1", promise=3), encoding="utf-8")
    (tmp_path / "b.toml").write_text(item_text("B-1", "乙", version=4), encoding="utf-8")
    (tmp_path / "README.md").write_text("not an item", encoding="utf-8")
    catalogue = load_catalogue(tmp_path)
    assert isinstance(catalogue, Catalogue) and len(catalogue) == 2
    assert [(item.code, item.version) for item in catalogue.items()] == [("A-1", 2), ("B-1", 4)]
    assert catalogue.get("A-1", 1).promise_days == 5
    assert load_catalogue(str(tmp_path)).get("B-1").name == "乙"


def test_the_same_version_twice_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "A-1.v1.toml").write_text(item_text("A-1"), encoding="utf-8")
    (tmp_path / "other.toml").write_text(item_text("A-1", version=1), encoding="utf-8")
    with pytest.raises(CatalogueError, match="A-1 第1版已在 A-1.v1.toml 中定义"):
        load_catalogue(tmp_path)


def test_every_broken_file_of_a_directory_is_reported(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(item_text("G-1"), encoding="utf-8")
    (tmp_path / "bad1.toml").write_text(item_text("B-1").replace('level = "township"', 'level = "town"'), encoding="utf-8")
    (tmp_path / "bad2.toml").write_text(item_text("B-2", promise=0), encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    message = str(caught.value)
    assert "bad1.toml" in message and "B-1" in message and "“town”不存在" in message
    assert "bad2.toml" in message and "B-2" in message and "承诺时限至少 1 个工作日" in message
    assert "good.toml" not in message


# --------------------------------------------------------------------------- packaging


def run_python(code: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    env_path = ":".join(str(path) for path in paths)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": env_path, "PYTHONSAFEPATH": "1"},
    )


def test_forms_imports_no_ui_and_no_other_layer() -> None:
    code = (
        "import sys, forms; forms.builtin_catalogue().search('dbsq');"
        "bad = sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'station', 'sync', 'cityhall'});"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = run_python(code, REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_builtin_catalogue_loads_from_a_zip_like_an_installed_wheel(tmp_path: Path) -> None:
    archive = tmp_path / "forms.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in (REPO / "forms").rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                bundle.write(path, path.relative_to(REPO).as_posix())
    code = (
        "import forms; c = forms.builtin_catalogue();"
        f"assert forms.__file__.startswith({str(archive)!r}), forms.__file__;"
        "print(len(c.items()))"
    )
    result = run_python(code, archive)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(ITEMS)


def test_package_data_is_in_place() -> None:
    assert (REPO / "forms" / "py.typed").is_file()
    assert len(list((REPO / "forms" / "items").glob("*.toml"))) >= 13


def test_public_api_names() -> None:
    expected = {
        "ServiceItem", "FieldSpec", "MaterialSpec", "Catalogue", "CatalogueError", "UnknownItem",
        "InvalidValue", "builtin_catalogue", "load_catalogue", "validate_form", "validate_field",
        "check_id_number", "check_uscc", "check_phone", "check_division_code", "mask_id_number",
        "mask_phone", "mask_name", "mod11_2_check_char",
    }  # fmt: skip
    assert expected <= set(forms.__all__)
    assert all(hasattr(forms, name) for name in forms.__all__)
