"""Official documents as A4 PDF, with the Chinese font embedded (subset) and a vector QR code.

fpdf2 reads TrueType/OpenType collections (``.ttc``) given the face number; Debian's
``NotoSansCJK-Regular.ttc`` holds JP, KR, SC, TC, HK faces, so the Simplified Chinese
face is picked by name rather than trusting the index.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from station.filewrite import write_atomically
from station.receipts import ReceiptData, find_cjk_font, qr_matrix

from .content import Document, Heading, KeyValue, Numbered, Paragraph, QRCode, Section, SignLine, Title, compose
from .facts import DocumentFacts

__all__ = ["render_pdf", "pdf_bytes", "font_face"]

FONT = "cjk"
PAGE_MARGIN_MM = 20
QR_SIDE_MM = 32
BODY_PT = 11.5
LINE_MM = 7.0


def render_pdf(source: DocumentFacts | ReceiptData | Document, kind: str, path: Path) -> Path:
    """Write the document of ``kind`` to ``path``; :class:`NoCJKFont` when no Chinese font exists."""
    return write_atomically(Path(path), pdf_bytes(source if isinstance(source, Document) else compose(kind, source)))


def pdf_bytes(document: Document) -> bytes:
    pdf = _new_pdf(document)
    for block in document.blocks:
        _DRAW[type(block)](pdf, block)
    return bytes(pdf.output())


@lru_cache(maxsize=4)
def font_face(path: Path) -> int:
    """The face of a font collection that is Simplified Chinese (0 for a single font)."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    names = [str(font["name"].getDebugName(1) or "") for font in collection.fonts]
    for marker in (" SC", "SC", "GB", "Hei", "Song"):
        for index, name in enumerate(names):
            if marker in name and "Mono" not in name:
                return index
    return 0


def _new_pdf(document: Document) -> FPDF:
    font = find_cjk_font()
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(PAGE_MARGIN_MM, PAGE_MARGIN_MM, PAGE_MARGIN_MM)
    pdf.set_auto_page_break(True, margin=PAGE_MARGIN_MM)
    pdf.add_font(FONT, fname=str(font), collection_font_number=font_face(font))
    pdf.set_title(f"{document.title} {document.case_no}")
    pdf.set_subject(document.case_no)
    pdf.set_creator("service-station")
    pdf.add_page()
    pdf.set_font(FONT, size=BODY_PT)
    return pdf


def _heading(pdf: FPDF, block: Heading) -> None:
    pdf.set_font(FONT, size=13)
    pdf.cell(w=pdf.epw - QR_SIDE_MM - 4, h=8, text=block.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _title(pdf: FPDF, block: Title) -> None:
    pdf.set_font(FONT, size=22)
    pdf.cell(w=pdf.epw - QR_SIDE_MM - 4, h=16, text=block.text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=BODY_PT)


def _section(pdf: FPDF, block: Section) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, size=15)
    pdf.cell(w=pdf.epw, h=10, text=block.text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=BODY_PT)


def _key_value(pdf: FPDF, block: KeyValue) -> None:
    pdf.multi_cell(w=_text_width(pdf), h=LINE_MM, text=f"{block.label}：{block.value}",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _paragraph(pdf: FPDF, block: Paragraph) -> None:
    pdf.multi_cell(w=pdf.epw, h=LINE_MM, text=block.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _numbered(pdf: FPDF, block: Numbered) -> None:
    indent = 8
    for number, item in enumerate(block.items, start=1):
        pdf.set_x(pdf.l_margin + 4)
        pdf.cell(w=indent, h=LINE_MM, text=f"{number}.")
        pdf.multi_cell(w=pdf.epw - 4 - indent, h=LINE_MM, text=item, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _sign_line(pdf: FPDF, block: SignLine) -> None:
    pdf.cell(w=pdf.epw, h=LINE_MM + 2, text=block.text, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _qr_code(pdf: FPDF, block: QRCode) -> None:
    """Top right of the first page, drawn as filled rectangles: sharp at any resolution."""
    matrix = qr_matrix(block.url, border=0, max_version=40)
    module = QR_SIDE_MM / matrix.size
    left, top = pdf.w - PAGE_MARGIN_MM - QR_SIDE_MM, PAGE_MARGIN_MM
    pdf.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(matrix.modules):
        for start, length in _dark_runs(row):
            pdf.rect(left + start * module, top + row_index * module, length * module, module, style="F")
    x, y = pdf.get_x(), pdf.get_y()
    pdf.set_font(FONT, size=8)
    pdf.set_xy(left - 4, top + QR_SIDE_MM + 1)
    pdf.cell(w=QR_SIDE_MM + 8, h=4, text=block.caption, align=Align.C)
    pdf.set_font(FONT, size=BODY_PT)
    pdf.set_xy(x, max(y, top + QR_SIDE_MM + 6))  # what follows starts below the code


def _dark_runs(row: tuple[bool, ...]) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules: one rectangle a run, not one a module."""
    runs, start = [], None
    for index, dark in enumerate((*row, False)):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            runs.append((start, index - start))
            start = None
    return runs


def _text_width(pdf: FPDF) -> float:
    """Beside the QR code while level with it, the full width below it."""
    beside_qr = pdf.page_no() == 1 and pdf.get_y() < PAGE_MARGIN_MM + QR_SIDE_MM + 6
    return pdf.epw - QR_SIDE_MM - 4 if beside_qr else pdf.epw


_DRAW: dict[type, Callable[[FPDF, Any], None]] = {
    Heading: _heading, Title: _title, Section: _section, KeyValue: _key_value, Paragraph: _paragraph,
    Numbered: _numbered, SignLine: _sign_line, QRCode: _qr_code,
}
