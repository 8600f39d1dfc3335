"""What each official document says, as a list of blocks that PDF and ESC/POS both draw.

The wording follows the Administrative Licensing Law (《中华人民共和国行政许可法》):
Art. 32 (accept, refuse, or tell every missing material at once, in writing, dated),
Art. 45 (hearings, tests and public notices are not counted in the limit) and Art. 82
(limits are working days); 容缺受理 follows local practice: a signed promise, a notice of
what, how and by when, and the case voided when the promise is broken.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from station.errors import BadInput
from station.receipts import ReceiptData

from .facts import DocumentFacts
from .titles import DOCUMENT_KINDS, DOCUMENT_TITLES

__all__ = [
    "DOCUMENT_KINDS", "DOCUMENT_TITLES", "Block", "Heading", "Title", "KeyValue", "Paragraph", "Numbered",
    "Section", "SignLine", "QRCode", "Document", "compose", "chinese_date", "document_text",
]

LICENSING_LAW = "《中华人民共和国行政许可法》"



@dataclass(frozen=True)
class Heading:
    """The issuing body, above the title."""

    text: str


@dataclass(frozen=True)
class Title:
    text: str


@dataclass(frozen=True)
class Section:
    """A second heading inside one document (the promise's notice)."""

    text: str


@dataclass(frozen=True)
class KeyValue:
    label: str
    value: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Numbered:
    items: tuple[str, ...]


@dataclass(frozen=True)
class SignLine:
    """Right-aligned: the seal line, the date, a signature blank."""

    text: str


@dataclass(frozen=True)
class QRCode:
    url: str
    caption: str


Block = Heading | Title | Section | KeyValue | Paragraph | Numbered | SignLine | QRCode


@dataclass(frozen=True)
class Document:
    kind: str
    case_no: str
    tracking_url: str
    blocks: tuple[Block, ...]

    @property
    def title(self) -> str:
        return DOCUMENT_TITLES[self.kind]


def chinese_date(iso_day: str | None) -> str:
    if not iso_day:
        return "（日期未定）"
    day = date.fromisoformat(iso_day[:10])
    return f"{day.year}年{day.month}月{day.day}日"


def compose(kind: str, source: DocumentFacts | ReceiptData) -> Document:
    """The document of ``kind`` for a case; :class:`BadInput` when the case's state does not allow it."""
    if kind not in DOCUMENT_TITLES:
        raise BadInput(f"不认识的文书“{kind}”，可选：{'、'.join(f'{k}（{v}）' for k, v in DOCUMENT_TITLES.items())}")
    if isinstance(source, ReceiptData):
        if kind != "receipt":
            raise BadInput(f"“{DOCUMENT_TITLES[kind]}”需要案件的办理情况，回执数据不够")
        return _document("receipt", source.case_no, source.tracking_url, _receipt_blocks(source))
    blocks = _COMPOSERS[kind](source)
    return _document(kind, source.case_no, source.tracking_url, blocks)


def _document(kind: str, case_no: str, url: str, blocks: list[Block]) -> Document:
    return Document(kind, case_no, url, tuple(blocks))


def _top(issuer: str, kind: str, receipt: ReceiptData, subtitle: str = "") -> list[Block]:
    return [Heading(issuer), Title(DOCUMENT_TITLES[kind]), *([Section(subtitle)] if subtitle else []),
            KeyValue("案件编号", receipt.case_no_display), KeyValue("办理事项", receipt.item_name),
            QRCode(receipt.tracking_url, "扫码查询办理进度")]


def _seal(issuer: str, day: str | None) -> list[Block]:
    return [SignLine(f"{issuer}（盖章）"), SignLine(chinese_date(day))]


def _receipt_blocks(receipt: ReceiptData) -> list[Block]:
    owed = tuple(f"{name}（{chinese_date(due) + '前补交' if due else '补交期限未定'}）"
                 for name, due in receipt.materials_owed)
    blocks: list[Block] = [
        *_top(receipt.cityhall_name, "receipt", receipt),
        KeyValue("申请人", receipt.applicant_masked), KeyValue("身份证号", receipt.id_masked),
        KeyValue("收件站", receipt.station_name), KeyValue("代办员", receipt.agent_name),
        KeyValue("收件时间", receipt.received_at),
        KeyValue("办结期限", receipt.deadline or receipt.deadline_note or "期限未知"),
        Paragraph("已收材料："), Numbered(receipt.materials_received or ("无",)),
    ]
    if owed:
        blocks += [Paragraph("容缺后补材料："), Numbered(owed)]
    return blocks + [Paragraph("请妥善保管本回执，扫描二维码可随时查看办理进度，办结后请对服务作出评价。"),
                     *_seal(receipt.station_name, receipt.received_at[:10])]


def _deadline_text(facts: DocumentFacts) -> str:
    if facts.instant:
        return "即办（受理当日办结）"
    return chinese_date(facts.receipt.deadline) + "前" if facts.receipt.deadline else (
        facts.receipt.deadline_note or "期限未知")


def _acceptance_blocks(facts: DocumentFacts) -> list[Block]:
    if not facts.accepted_on:
        raise BadInput(f"案件尚未受理（当前：{facts.status}），不能出具受理通知书")
    receipt = facts.receipt
    basis = f"及{facts.item_basis}" if facts.item_basis else ""
    return [
        *_top(facts.handler_name, "acceptance", receipt),
        Paragraph(f"{facts.applicant_name}："),
        Paragraph(f"你于{chinese_date(facts.received_on)}提交的“{receipt.item_name}”申请，经审查，申请材料齐全、"
                  f"符合法定形式。根据{LICENSING_LAW}第三十二条{basis}的规定，本机关决定予以受理。"),
        KeyValue("受理日期", chinese_date(facts.accepted_on)),
        KeyValue("承诺时限", f"{facts.promise_days}个工作日（自受理次日起算，法定节假日不计）"),
        KeyValue("办结期限", _deadline_text(facts)),
        Paragraph(f"本机关将在上述期限内作出决定。依法需要听证、检验、检测、鉴定、专家评审和公示的，所需时间"
                  f"不计算在期限内（{LICENSING_LAW}第四十五条）。"),
        *_seal(facts.handler_name, facts.accepted_on),
    ]


def _refusal_blocks(facts: DocumentFacts) -> list[Block]:
    if facts.status != "refused":
        raise BadInput(f"案件未被决定不予受理（当前：{facts.status}），不能出具不予受理通知书")
    receipt = facts.receipt
    reason = facts.refusal_reason.rstrip("。") or "申请事项不属于本机关职权范围"
    return [
        *_top(facts.handler_name, "refusal", receipt),
        Paragraph(f"{facts.applicant_name}："),
        Paragraph(f"你于{chinese_date(facts.received_on)}提交的“{receipt.item_name}”申请，经审查，{reason}。"
                  f"根据{LICENSING_LAW}第三十二条的规定，本机关决定不予受理。"),
        KeyValue("不予受理理由", reason),
        KeyValue("决定日期", chinese_date(facts.decided_on)),
        Paragraph("如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，或者自收到本通知书之日起"
                  "六个月内依法向人民法院提起行政诉讼。"),
        *_seal(facts.handler_name, facts.decided_on),
    ]


def _notice_blocks(facts: DocumentFacts) -> list[Block]:
    if not facts.outstanding:
        raise BadInput("该案件没有需要补正的材料，不需要出具一次性告知书")
    receipt = facts.receipt
    items = tuple(f"{name}（请于{chinese_date(due)}前补交）" if due else name for name, due in facts.outstanding)
    day = facts.notice_on or facts.issued_on
    return [
        *_top(facts.handler_name, "notice", receipt, subtitle="（补正材料通知书）"),
        Paragraph(f"{facts.applicant_name}："),
        Paragraph(f"你于{chinese_date(facts.received_on)}提交的“{receipt.item_name}”申请，申请材料不齐全或者不符合"
                  f"法定形式。根据{LICENSING_LAW}第三十二条第一款第（四）项的规定，现一次性告知你需要补正的"
                  f"全部材料（共{len(items)}项）如下："),
        Numbered(items),
        Paragraph(f"请将上述材料一次补齐后交至{facts.origin_name}。材料补齐后依法受理，办理时限自收到全部补正材料"
                  "之日起计算。除上述材料外，不再要求补正其他材料。"),
        KeyValue("告知日期", chinese_date(day)),
        *_seal(facts.handler_name, day),
    ]


def _promise_blocks(facts: DocumentFacts) -> list[Block]:
    if not facts.promised:
        raise BadInput("该案件收件时没有容缺材料，不需要容缺受理承诺书")
    receipt = facts.receipt
    due = max((d for _, d in facts.promised if d), default=None)
    items = tuple(f"{name}（{chinese_date(d)}前补交）" for name, d in facts.promised)
    return [
        *_top(facts.origin_name, "promise", receipt),
        Paragraph(f"本人{facts.applicant_name}（身份证号：{receipt.id_masked}）申请办理“{receipt.item_name}”，"
                  "核心材料已经齐全，以下材料暂缺，申请容缺受理："),
        Numbered(items),
        Paragraph(f"本人承诺：在{chinese_date(due)}前补齐上述材料，并对所提交材料的真实性负责。如未按期补齐，"
                  "同意本案件作废（不予办理），由此产生的后果由本人承担，失信情况可依法记入信用记录。"),
        SignLine("承诺人（签字）：__________"),
        SignLine(f"日期：{chinese_date(facts.received_on)}"),
        Section("容缺受理告知书"),
        KeyValue("补交材料", "、".join(name for name, _ in facts.promised)),
        KeyValue("补交方式", f"携带原件到{facts.origin_name}交代办员核验，或由代办员扫描上传"),
        KeyValue("补交期限", f"{chinese_date(due)}前（不超过承诺办理时限）"),
        KeyValue("逾期后果", "逾期未补交的，本案件作废，需要重新申请"),
        *_seal(facts.origin_name, facts.received_on),
    ]


_COMPOSERS = {
    "receipt": lambda facts: _receipt_blocks(facts.handed_over or facts.receipt),
    "acceptance": _acceptance_blocks,
    "refusal": _refusal_blocks,
    "notice": _notice_blocks,
    "promise": _promise_blocks,
}


def document_text(document: Document) -> str:
    """The document as plain lines, for the terminal and ``--json``."""
    lines: list[str] = []
    for block in document.blocks:
        if isinstance(block, Numbered):
            lines += [f"  {n}. {item}" for n, item in enumerate(block.items, start=1)]
        elif isinstance(block, KeyValue):
            lines.append(f"{block.label}：{block.value}")
        elif isinstance(block, QRCode):
            lines.append(f"{block.caption}：{block.url}")
        else:
            lines.append(block.text)
    return "\n".join(lines)
