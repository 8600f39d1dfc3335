"""Likely mistakes worth a warning before filing (never a refusal: the agent decides)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

__all__ = ["age_from_id_number", "age_band_conflicts"]

_BAND = re.compile(r"^(?P<low>\d+)\s*[-–~至]\s*(?P<high>\d+)\s*周岁$")
_AT_LEAST = re.compile(r"^(?P<low>\d+)\s*周岁(及)?以上$")


def age_from_id_number(id_number: str, today: date) -> int | None:
    """Whole years of age by the birth date in an 18- or 15-digit ID number (None when unreadable)."""
    digits = id_number.strip().upper()
    text = digits[6:14] if len(digits) == 18 else f"19{digits[6:12]}" if len(digits) == 15 else ""
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def age_band_conflicts(fields: Mapping[str, str], labels: Mapping[str, str], id_number: str,
                       today: date) -> list[str]:
    """A chosen age band (90-99周岁, 100周岁及以上) that the ID number's birth date contradicts."""
    age = age_from_id_number(id_number, today)
    if age is None:
        return []
    problems = []
    for key, value in fields.items():
        band = _BAND.match(value.strip()) or _AT_LEAST.match(value.strip())
        if band is None:
            continue
        low = int(band["low"])
        high = int(band["high"]) if "high" in band.groupdict() else None
        if age < low or (high is not None and age > high):
            problems.append(f"⚠ 身份证号显示申请人今年 {age} 周岁，与{labels.get(key, key)}“{value}”不符，请核对")
    return problems
