"""A citizen's rating as it arrives on the tracking page's form or its JSON twin, checked.

Every problem is listed at once, in Chinese, and nothing unprintable reaches the store:
a lone surrogate (JSON ``"\\ud800"``) or a NUL would be stored fine on SQLite and then
break the pages that show it, or the whole insert on PostgreSQL.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

__all__ = ["RatingInput", "rating_from_json", "rating_from_form", "MAX_COMMENT_CHARS"]

MAX_COMMENT_CHARS = 200
_LEVEL_PROBLEM = "评价等级应为 1-5（5 非常满意 … 1 非常不满意）"
_JSON_SHAPE = '请求体应为 {"level": 1-5, "comment": "..."}'
_ALLOWED_CONTROLS = frozenset("\n\r\t")


@dataclass(frozen=True)
class RatingInput:
    level: int
    comment: str


def rating_from_json(body: bytes) -> tuple[RatingInput | None, list[str]]:
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply; ValueError covers bad UTF-8
        return None, [_JSON_SHAPE]
    if not isinstance(payload, dict):
        return None, [_JSON_SHAPE]
    return _checked(payload.get("level"), payload.get("comment"))


def rating_from_form(body: bytes) -> tuple[RatingInput | None, list[str]]:
    form = parse_qs(body.decode("utf-8", "replace"))
    raw_level = (form.get("level") or [""])[0].strip()
    level = int(raw_level) if raw_level.isascii() and raw_level.isdigit() and len(raw_level) < 3 else raw_level
    return _checked(level, (form.get("comment") or [""])[0])


def _checked(level: Any, comment: Any) -> tuple[RatingInput | None, list[str]]:
    problems = []
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
        problems.append(_LEVEL_PROBLEM)
    text = "" if comment is None else comment
    if not isinstance(text, str):
        problems.append("评价意见应为文字")
    else:
        problems += _comment_problems(text)
    if problems:
        return None, problems
    return RatingInput(level, text.strip()), []


def _comment_problems(text: str) -> list[str]:
    problems = []
    if len(text) > MAX_COMMENT_CHARS:
        problems.append(f"评价意见最多 {MAX_COMMENT_CHARS} 个字，收到 {len(text)} 个")
    categories = {unicodedata.category(c) for c in text if c not in _ALLOWED_CONTROLS}
    if "Cs" in categories:
        problems.append("评价意见含有无法识别的字符，请重新输入")
    if "Cc" in categories:
        problems.append("评价意见含有控制字符，请只输入文字")
    return problems
