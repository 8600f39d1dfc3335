"""What a receipt says, independent of how it is drawn (terminal text or image)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from station.receipts.data import ReceiptData

__all__ = [
    "KEEP_HINT",
    "SCAN_HINT",
    "SUBTITLE",
    "URL_LABEL",
    "Field",
    "clean",
    "receipt_fields",
]

SUBTITLE = "便民服务收件回执"
SCAN_HINT = "请用手机扫描上方二维码，随时查看办理进度，办结后请对服务作出评价。"
URL_LABEL = "查询网址："
KEEP_HINT = "请妥善保管本回执。"
NONE_TEXT = "无"
UNKNOWN_DEADLINE = "期限未知"



@dataclass(frozen=True)
class Field:
    """One labelled entry; each of ``values`` starts on a line of its own."""

    label: str
    values: tuple[str, ...]


def clean(text: str) -> str:
    """Control characters (newlines, escapes) become spaces so layout cannot break."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


def receipt_fields(receipt: ReceiptData) -> list[Field]:
    """The labelled body of the receipt, in print order (DESIGN §6)."""
    fields = [
        Field("受理编号", (receipt.case_no_display,)),
        Field("办理事项", (receipt.item_name,)),
        Field("申请人", (receipt.applicant_masked,)),
        Field("证件号码", (receipt.id_masked,)),
    ]
    if receipt.phone_masked:
        fields.append(Field("联系电话", (receipt.phone_masked,)))
    fields += [
        Field("代办员", (receipt.agent_name,)),
        Field("服务站点", (receipt.station_name,)),
        Field("收件时间", (receipt.received_at,)),
        Field("已收材料", _numbered(receipt.materials_received)),
        Field("待补材料", _numbered(_owed(name, due) for name, due in receipt.materials_owed)),
        Field("承诺办结", (_deadline(receipt),)),
    ]
    return [Field(f.label, tuple(clean(v) for v in f.values)) for f in fields]


def _numbered(names: Iterable[str]) -> tuple[str, ...]:
    listed = tuple(names)
    if not listed:
        return (NONE_TEXT,)
    return tuple(f"{i}. {name}" for i, name in enumerate(listed, start=1))


def _owed(name: str, due: str | None) -> str:
    if due is None:
        return f"{name}（补交期限未定）"
    return f"{name}（请于 {due} 前补交）"


def _deadline(receipt: ReceiptData) -> str:
    if receipt.deadline:
        return f"{receipt.deadline} 前"
    return receipt.deadline_note or UNKNOWN_DEADLINE
