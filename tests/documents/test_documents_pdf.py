"""Documents rendered to PDF and read back: text through pdftotext, the QR through a real decoder."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from station.documents import DocumentFacts, case_document_facts, compose, render_pdf
from station.documents.pdf import font_face
from station.errors import BadInput
from station.receipts import NoCJKFont, find_cjk_font
from station.ledger import display_case_no
from tests.reports.scenario import Casebook

pytestmark = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
                                reason="poppler-utils (pdftotext, pdftoppm) not installed")


@pytest.fixture(scope="module", autouse=True)
def chinese_font() -> Path:
    try:
        return find_cjk_font()
    except NoCJKFont as exc:
        pytest.skip(str(exc))


def facts(book: Casebook, case_no: str) -> DocumentFacts:
    return case_document_facts(book.village, case_no)


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    return "".join(text.decode("utf-8").split())  # line breaks fall anywhere in Chinese text


def decoded_qr(path: Path, tmp_path: Path) -> list[str]:
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
                   check=True)
    [page] = tmp_path.glob("page*.png")
    return [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(page))]


DOCUMENTS = [
    ("A", "acceptance", ["受理通知书", "第三十二条", "决定予以受理", "受理日期：2026年11月3日", "10个工作日",
                         "2026年11月17日前", "山坡镇便民服务中心（盖章）"]),
    ("D", "refusal", ["不予受理通知书", "第三十二条", "申请人未满80周岁，不符合申请条件", "决定不予受理", "行政复议",
                      "行政诉讼", "2026年11月5日"]),
    ("E", "notice", ["一次性告知书", "补正材料通知书", "第三十二条第一款第（四）项", "共1项",
                     "银行卡（惠民惠农一卡通）复印件（请于2026年11月12日前补交）"]),
    ("E", "promise", ["容缺受理承诺书", "容缺受理告知书", "2026年11月12日前", "本案件作废", "承诺人（签字）",
                      "光星村便民服务站（盖章）"]),
    ("E", "receipt", ["便民服务收件回执", "曾*", "王小丽", "2026年11月12日前补交"]),
]


@pytest.mark.parametrize(("letter", "kind", "wording"), DOCUMENTS, ids=[d[1] for d in DOCUMENTS])
def test_pdf_reads_back(book: Casebook, cases: dict[str, str], tmp_path: Path, letter: str, kind: str,
                        wording: list[str]) -> None:
    case_facts = facts(book, cases[letter])
    path = render_pdf(case_facts, kind, tmp_path / f"{kind}.pdf")
    text = pdf_text(path)
    for expected in [display_case_no(cases[letter]), "高龄津贴", *wording]:
        assert expected in text
    assert decoded_qr(path, tmp_path) == [case_facts.tracking_url]


def test_the_receipt_command_path_takes_receipt_data(book: Casebook, cases: dict[str, str], tmp_path: Path) -> None:
    receipt = facts(book, cases["B"]).receipt
    path = render_pdf(receipt, "receipt", tmp_path / "receipt.pdf")
    assert display_case_no(cases["B"]) in pdf_text(path)
    with pytest.raises(BadInput):
        render_pdf(receipt, "acceptance", tmp_path / "no.pdf")


def test_the_notice_lists_every_outstanding_material_once(tmp_path: Path) -> None:
    book = Casebook(tmp_path)
    try:
        case_no = book.intake("2026-11-02", deferred=True)
        book.forward(case_no)
        book.on("2026-11-03").at_township(case_no, "supplement_requested",
                                          materials=["bank_card_copy", "collector_id"])
        document = compose("notice", facts(book, case_no))
        text = pdf_text(render_pdf(document, "notice", tmp_path / "notice.pdf"))
        assert text.count("银行卡（惠民惠农一卡通）复印件") == 1 and "代领人居民身份证" in text and "共2项" in text
        assert "告知日期：2026年11月3日" in text
    finally:
        book.close()


def test_documents_the_case_does_not_allow(book: Casebook, cases: dict[str, str]) -> None:
    with pytest.raises(BadInput, match="尚未受理"):
        compose("acceptance", facts(book, cases["G"]))
    with pytest.raises(BadInput, match="不予受理"):
        compose("refusal", facts(book, cases["A"]))
    with pytest.raises(BadInput, match="没有容缺材料"):
        compose("promise", facts(book, cases["B"]))
    with pytest.raises(BadInput, match="没有需要补正"):
        compose("notice", facts(book, cases["B"]))
    with pytest.raises(BadInput, match="不认识的文书"):
        compose("licence", facts(book, cases["B"]))


def test_the_simplified_chinese_face_of_a_collection_is_used(chinese_font: Path) -> None:
    if chinese_font.name != "NotoSansCJK-Regular.ttc":
        pytest.skip(f"font is {chinese_font.name}, not the Noto collection")
    assert font_face(chinese_font) == 2  # JP, KR, SC, TC, HK: the third face
