"""The one-time notice (一次性告知书): everything missing, told once, in writing.

Plain text that fits 78 columns, printable as it is; made when a required material is
missing, instead of filing the case.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from forms import ServiceItem, mask_name

__all__ = ["MissingMaterial", "missing_materials", "blocks_filing", "notice_text"]


@dataclass(frozen=True)
class MissingMaterial:
    key: str
    name: str
    required: bool
    deferrable: bool
    source: str


def missing_materials(item: ServiceItem, received: set[str], deferred: set[str]) -> list[MissingMaterial]:
    """Every material neither handed in nor deferred, required ones first."""
    missing = [MissingMaterial(m.key, m.name, m.required, m.deferrable, m.source)
               for m in item.materials if m.key not in received and m.key not in deferred]
    return sorted(missing, key=lambda m: not m.required)


def blocks_filing(missing: list[MissingMaterial]) -> bool:
    return any(m.required for m in missing)


def notice_text(item: ServiceItem, applicant_name: str, missing: list[MissingMaterial], station_name: str,
                agent_name: str, day: date) -> str:
    lines = [
        "一次性告知书".center(36),
        "",
        f"{mask_name(applicant_name)}：",
        f"    您申请办理的“{item.name}”（事项编码 {item.code}），经核对，",
        "尚缺以下材料。请备齐后再来办理，我们将一次性收件：",
        "",
    ]
    for number, material in enumerate((m for m in missing if m.required), start=1):
        lines.append(f"  {number}. {material.name}" + ("（可容缺后补）" if material.deferrable else ""))
        if material.source:
            lines.append(f"     获取方式：{material.source}")
    optional = [m for m in missing if not m.required]
    if optional:
        lines += ["", "以下材料视情况提供："] + [f"  ·{m.name}" for m in optional]
    if item.conditions:
        lines += ["", "申请条件："] + [f"  ·{c}" for c in item.conditions]
    lines += ["", f"承诺时限：受理后 {item.promise_days} 个工作日" if not item.instant else "即办件：材料齐全当场办结",
              "", f"告知单位：{station_name}", f"经办人：{agent_name}", f"告知日期：{day.isoformat()}",
              "", "申请人签收：______________"]
    return "\n".join(lines)
