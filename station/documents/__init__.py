"""Official documents of a case: 回执, 受理通知书, 不予受理通知书, 一次性告知书, 容缺受理承诺书.

One content model (:mod:`.content`) drawn two ways: A4 PDF with an embedded Chinese font
(:mod:`.pdf`, which loads fpdf2 only when used) and ESC/POS bytes for 58/80 mm thermal
printers (:mod:`.escpos`).
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from station.receipts import ReceiptData

    from .content import DOCUMENT_KINDS, DOCUMENT_TITLES, Document, compose, document_text
    from .escpos import PAPER_58, PAPER_80, PAPER_WIDTHS, EscPos, PaperWidth, PrinterError, escpos_bytes, send_escpos
    from .facts import DocumentFacts, case_document_facts, facts_from_view

_HOMES = (dict.fromkeys(("DOCUMENT_KINDS", "DOCUMENT_TITLES", "Document", "compose", "document_text"), "content")
          | dict.fromkeys(("PAPER_58", "PAPER_80", "PAPER_WIDTHS", "EscPos", "PaperWidth", "PrinterError",
                           "escpos_bytes", "send_escpos"), "escpos")
          | dict.fromkeys(("DocumentFacts", "case_document_facts", "facts_from_view"), "facts"))
"""Names load with their module on first use (PEP 562): ``station print``'s choices need only the titles."""


def __getattr__(name: str) -> Any:
    module = _HOMES.get(name)
    if module is None:
        raise AttributeError(f"module 'station.documents' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "DOCUMENT_KINDS", "DOCUMENT_TITLES", "Document", "compose", "document_text", "render_pdf",
    "PAPER_58", "PAPER_80", "PAPER_WIDTHS", "EscPos", "PaperWidth", "PrinterError", "escpos_bytes", "send_escpos",
    "DocumentFacts", "case_document_facts", "facts_from_view",
]


def render_pdf(source: DocumentFacts | ReceiptData | Document, kind: str, path: Path) -> Path:
    """Write the document of ``kind`` as PDF (fpdf2 is imported here, on first use)."""
    from .pdf import render_pdf as _render

    return _render(source, kind, path)
