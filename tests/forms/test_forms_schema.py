"""Loading item files: a sound file loads; a broken one names the file, the item and
every problem at once."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from forms import CatalogueError, FieldSpec, MaterialSpec, ServiceItem, load_item, parse_item

GOOD = """
code = "T-0001"
name = "测试事项"
version = 1
kind = "行政给付"
level = "township"
legal_days = 20
promise_days = 10
instant = false
fee = "不收费"
on_behalf = true
basis = "《社会救助暂行办法》"
conditions = ["条件一"]
result = "审批决定"
keywords = ["测试"]

[[fields]]
key = "household_size"
label = "家庭人口数"
type = "integer"
rules = { min = 1, max = 20 }
example = "3"

[[fields]]
key = "category"
label = "类别"
type = "choice"
choices = ["甲", "乙"]
required = false
example = "乙"

[[materials]]
key = "application"
name = "申请书"
form = "original"

[[materials]]
key = "bank_card_copy"
name = "银行卡复印件"
form = "copy"
copies = 2
deferrable = true
defer_days = 5
source = "申请人自备"
"""

BROKEN = """
code = "T-0002"
name = "坏事项"
version = 1
kind = "行政审批"
level = "province"
legal_days = 5
promise_days = 3
instant = true
fee = 0
on_behalf = true
result = "结果"
colour = "红"

[[fields]]
key = "household_size"
label = "家庭人口数"
type = "integer"
rules = { min = 1 }
example = "三口人"

[[fields]]
key = "household_size"
label = "家庭人口数（重复）"
type = "integer"
example = "3"

[[fields]]
key = "category"
label = "类别"
type = "choice"
example = "甲"

[[fields]]
key = "photo"
label = "照片"
type = "image"
example = "x.png"

[[fields]]
key = "spouse_id"
label = "配偶身份证号"
type = "id_number"
example = "11010519491231002Y"
height = 3

[[fields]]
key = "marriage_date"
label = "结婚日期"
type = "date"
rules = { max = "today", colour = "red" }
example = "2019-05-20"

[[fields]]
label = "无键字段"
type = "text"
example = "x"

[[materials]]
key = "application"
name = "申请书"
form = "scan"
copies = "1"

[[materials]]
key = "bank_card_copy"
name = "银行卡复印件"
form = "copy"
required = false
deferrable = true

[[materials]]
key = "photos"
name = "照片"
form = "original"
deferrable = true
defer_days = 10

[[materials]]
key = "application"
name = "申请书（重复）"
form = "original"
defer_days = 2
"""

EXPECTED_PROBLEMS = [
    "未知的键 colour",  # unknown key
    "缺少 basis",  # missing element
    "fee 应为文字",  # bad type
    "“行政审批”不存在",  # bad kind
    "“province”不存在",  # bad level
    "即办件（instant = true）的承诺时限应为 0",  # instant with promise_days
    "example “三口人”通不过本字段的校验",  # example fails its validator
    "key “household_size”重复",  # duplicate field key
    "choice 类型必须列出 choices",  # choice without choices
    "type “image”不存在",  # bad field type
    "未知的键 height",  # unknown key in a field
    "example “11010519491231002Y”通不过本字段的校验：身份证号“11010519491231002Y”最后一位校验码不对，应为 X",
    "没有规则 colour",  # unknown rule
    "缺少 key",  # field without key
    "form “scan”不存在",  # bad material form
    "copies 应为整数",  # bad type in a material
    "容缺材料必须是必交材料（required = true）",  # deferrable but not required
    "容缺材料要写 defer_days",  # deferrable without defer_days
    "补交期限 defer_days = 10 超过了承诺时限 promise_days = 3",  # defer past the promise
    "key “application”重复",  # duplicate material key
    "只有容缺材料（deferrable = true）才有 defer_days",
]


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_sound_file_loads_into_frozen_dataclasses(tmp_path: Path) -> None:
    item = load_item(write(tmp_path, "T-0001.toml", GOOD))
    assert isinstance(item, ServiceItem) and item.version == 1
    assert item.field("household_size") == FieldSpec(
        "household_size", "家庭人口数", "integer", True, (), {"min": 1, "max": 20}, "3", ""
    )
    assert item.field("category").required is False
    assert item.material("bank_card_copy") == MaterialSpec(
        "bank_card_copy", "银行卡复印件", "copy", 2, True, True, 5, "申请人自备"
    )
    assert [m.key for m in item.required_materials] == ["application", "bank_card_copy"]
    assert [m.key for m in item.deferrable_materials] == ["bank_card_copy"]
    assert item.conditions == ("条件一",) and item.keywords == ("测试",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.name = "改名"  # type: ignore[misc]
    with pytest.raises(KeyError):
        item.field("nope")
    hash(item)
    json.dumps(item.to_dict(), ensure_ascii=False)


def test_a_broken_file_names_the_file_the_item_and_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.toml", BROKEN)
    with pytest.raises(CatalogueError) as caught:
        load_item(path)
    error = caught.value
    message = str(error)
    assert "broken.toml" in message and "T-0002" in message and "坏事项" in message
    assert error.path == str(path) and error.item == "T-0002 坏事项"
    for expected in EXPECTED_PROBLEMS:
        assert expected in message, expected
        assert any(expected in problem for problem in error.problems), expected
    assert f"有 {len(error.problems)} 处问题" in message
    assert len(error.problems) == len(EXPECTED_PROBLEMS), "\n".join(error.problems)


def test_problems_point_at_the_place_in_the_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError) as caught:
        load_item(write(tmp_path, "broken.toml", BROKEN))
    problems = caught.value.problems
    assert any(p.startswith("fields[0]（household_size）：example “三口人”") for p in problems)
    assert any(p.startswith("materials[2]（photos）：补交期限") for p in problems)


def test_toml_syntax_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="TOML 语法错误") as caught:
        load_item(write(tmp_path, "bad-syntax.toml", 'code = "X\nname = 1'))
    assert "bad-syntax.toml" in str(caught.value)


def test_a_file_without_a_code_is_named_by_its_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError) as caught:
        load_item(write(tmp_path, "nameless.toml", GOOD.replace('code = "T-0001"', "")))
    assert caught.value.item == "nameless.toml"
    assert "缺少 code" in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ('code = "T-0001"', 'code = "' + "A" * 65 + '"', "最长 64 个字符"),
        ('code = "T-0001"', 'code = "T 0001"', "不含空白"),
        ("promise_days = 10", "promise_days = 30", "超过了法定时限"),
        ("instant = false", "instant = true", "即办件"),
        ("promise_days = 10", "promise_days = 0", "承诺件的承诺时限至少 1 个工作日"),
        ("legal_days = 20", "legal_days = -1", "不能为负数"),
        ('choices = ["甲", "乙"]', 'choices = ["甲", "甲"]', "choices 里“甲”重复"),
        ("rules = { min = 1, max = 20 }", "rules = { min = 30, max = 20 }", "min = 30 大于 max = 20"),
        ("rules = { min = 1, max = 20 }", 'rules = { min = "1" }', "规则 min 应为整数"),
        ('type = "integer"\nrules = { min = 1, max = 20 }', 'type = "text"\nrules = { pattern = "[0-9" }', "不是有效的正则"),
        ('type = "integer"\nrules = { min = 1, max = 20 }', 'type = "text"\nrules = { pattern = "[0-9]+" }', "要写 pattern_help"),
        ('rules = { min = 1, max = 20 }', 'rules = { min = 1, max = 20, digits = true }', "没有规则 digits"),
        ('form = "copy"', 'form = "copy"\nrequired = "yes"', "required 应为true/false"),
        ("version = 1", "version = 0", "版本号应从 1 开始"),
        ("version = 1", 'version = "1"', "version 应为整数"),
        ("instant = false", 'instant = "否"', "instant 应为true/false"),
    ],
)
def test_single_rules(tmp_path: Path, old: str, new: str, fragment: str) -> None:
    assert old in GOOD
    with pytest.raises(CatalogueError, match=fragment):
        load_item(write(tmp_path, "one.toml", GOOD.replace(old, new, 1)))


def test_an_example_in_the_future_of_a_today_bound_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace(
        'type = "integer"\nrules = { min = 1, max = 20 }\nexample = "3"',
        'type = "date"\nrules = { max = "today" }\nexample = "2099-01-01"',
    )
    with pytest.raises(CatalogueError, match="不能晚于今天"):
        load_item(write(tmp_path, "future.toml", text))


def test_the_version_may_come_from_the_file_name(tmp_path: Path) -> None:
    text = GOOD.replace("version = 1\n", "")
    assert load_item(write(tmp_path, "T-0001.v3.toml", text)).version == 3
    assert load_item(write(tmp_path, "anything.toml", text)).version == 1
    with pytest.raises(CatalogueError, match="与文件名里的 v2 不一致"):
        load_item(write(tmp_path, "T-0001.v2.toml", GOOD))
    with pytest.raises(CatalogueError, match="文件名里的编码“T-0009”"):
        load_item(write(tmp_path, "T-0009.v1.toml", GOOD))


def test_parse_item_from_text() -> None:
    assert parse_item(GOOD, "T-0001.toml").code == "T-0001"


def test_a_missing_example_is_reported_once_and_a_blank_one_too(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError) as caught:
        load_item(write(tmp_path, "one.toml", GOOD.replace('example = "3"\n', "", 1)))
    assert caught.value.problems == ("fields[0]（household_size）：缺少 example",)
    with pytest.raises(CatalogueError) as caught:
        load_item(write(tmp_path, "one.toml", GOOD.replace('example = "3"', 'example = " "', 1)))
    assert len(caught.value.problems) == 1 and "example 不能为空" in caught.value.problems[0]
