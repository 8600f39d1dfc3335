"""Search keys for a citizen's name: full pinyin and initials, every surname reading.

pypinyin reads many surnames with their common-word reading (曾 → ceng, 单 → dan), so
the first character contributes all its readings plus the surname reading from the
table below; the rest use their most common reading. Characters pypinyin has no pinyin
for are skipped in the keys, and the rare name characters in ``RARE_READINGS`` are
keyed both with their reading and skipped (王𠮷祥: "wjx" and "wx"), since an agent may not
know how to read them. The name itself is stored exactly as given.
"""
from __future__ import annotations

from itertools import islice, product

__all__ = ["name_keys", "SURNAME_READINGS", "RARE_READINGS"]

SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "曾": ("zeng",), "单": ("shan",), "解": ("xie",), "仇": ("qiu",), "朴": ("piao",),
    "查": ("zha",), "区": ("ou",), "乐": ("yue",), "覃": ("qin",), "翟": ("zhai",),
    "盖": ("ge",), "缪": ("miao",), "尉": ("yu",), "秘": ("bi",), "万俟": ("mo", "qi"),
    "长": ("chang",), "员": ("yun",), "召": ("shao",), "种": ("chong",), "燕": ("yan",),
}
RARE_READINGS: dict[str, tuple[str, ...]] = {"𠮷": ("ji",)}
"""Name characters outside pypinyin's tables (Extension B and later) whose reading is known."""
_MAX_VARIANTS = 8


def _readings(char: str, heteronyms: bool) -> list[str]:
    from pypinyin import Style, pinyin  # its dictionaries take ~0.3 s to load: only when a name is keyed

    # pypinyin takes a list back from ``errors`` too (its annotation says str only)
    found = pinyin(char, style=Style.NORMAL, heteronym=heteronyms, errors=lambda _: [""])[0]  # type: ignore[arg-type, return-value]
    readings = [r for r in dict.fromkeys(found) if r and r.isascii() and r.isalpha()]
    if not readings and char in RARE_READINGS:
        return [*RARE_READINGS[char], ""]  # "": also keyed as if skipped
    return readings


def _syllables(name: str) -> list[list[str]]:
    chars = list(name)
    if not chars:
        return []
    first = list(SURNAME_READINGS.get(chars[0], ())) + _readings(chars[0], heteronyms=True)
    rest = [_most_common(_readings(c, heteronyms=False)) for c in chars[1:]]
    return [s for s in [list(dict.fromkeys(first)), *rest] if s]


def _most_common(readings: list[str]) -> list[str]:
    """The first reading, keeping the "may be skipped" mark of a rare character."""
    return readings[:1] + ([""] if "" in readings[1:] else [])


def name_keys(name: str) -> set[str]:
    """Lower-case search keys: the name itself, full pinyin and initials variants."""
    keys = {name.strip().lower()}
    combos = islice(product(*_syllables(name.strip())), _MAX_VARIANTS)
    for combo in combos:
        keys.add("".join(combo))
        keys.add("".join(s[:1] for s in combo))
    keys.discard("")
    return keys
