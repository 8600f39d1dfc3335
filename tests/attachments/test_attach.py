"""Attaching scans: sniffed types, reduced wire copies, content-addressed files, one event each."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw

from station.attachments import (
    AUTHORISATION, attach_files, blob_files, disk_usage, list_attachments, sha256_hex, sniff_type,
)
from station.attachments.reduce import DOCUMENT_LONG_EDGE, bilevel_page, looks_like_document
from station.errors import BadInput
from station.service import Operator, StationService

from .scans import tiny_pdf


def test_types_are_told_by_content_not_by_name(tmp_path: Path) -> None:
    assert sniff_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert sniff_type(b"\x89PNG\r\n\x1a\nrest") == "image/png"
    assert sniff_type(tiny_pdf()[:1024]) == "application/pdf"
    assert sniff_type(b"GIF89a...") is None
    assert sniff_type(b"PK\x03\x04 a docx") is None


def test_a4_scan_travels_reduced_and_the_original_stays(village: StationService, agent: Operator, case_no: str,
                                                         scan_dir: Path) -> None:
    original = scan_dir / "户口本.jpg"
    [attached] = attach_files(village, agent, case_no, "id_and_hukou", [original])
    files = blob_files(village)
    wire = files.path(attached.sha256)
    assert wire.relative_to(village.home.attachments_dir).parts == (attached.sha256[:2], attached.sha256[2:])
    assert 10_000 < attached.size < 80 * 1024 < 500_000 < attached.original_size
    with Image.open(io.BytesIO(files.read(attached.sha256))) as image:  # a document page: bilevel at 200 dpi
        assert (image.format, image.mode) == ("PNG", "1") and max(image.size) == DOCUMENT_LONG_EDGE
    assert files.read(attached.original_sha256) == original.read_bytes()
    [event] = [e for e in village.store.case_events(case_no) if e.kind == "attached"]
    assert event.data == {"material": "id_and_hukou", "sha256": attached.sha256, "size": attached.size,
                          "type": "image/png", "name": "户口本.jpg", "original_sha256": sha256_hex(original.read_bytes()),
                          "original_size": original.stat().st_size}
    assert village.case(case_no).attachments[0]["sha256"] == attached.sha256


def test_png_scan_of_a_page_becomes_bilevel_for_the_wire(village: StationService, agent: Operator, case_no: str,
                                                          scan_dir: Path) -> None:
    [attached] = attach_files(village, agent, case_no, "application_form", [scan_dir / "申请表.png"], grayscale=True)
    with Image.open(io.BytesIO(blob_files(village).read(attached.sha256))) as image:
        assert (image.format, image.mode) == ("PNG", "1")
    assert attached.reduced and attached.size < attached.original_size / 5


def test_a_colour_photo_of_a_person_stays_colour(village: StationService, agent: Operator, case_no: str,
                                                 tmp_path: Path) -> None:
    photo = Image.new("RGB", (1600, 2000), (100, 130, 170))
    draw = ImageDraw.Draw(photo)
    draw.ellipse([400, 300, 1200, 1200], fill=(224, 172, 140))
    draw.rectangle([250, 1200, 1350, 2000], fill=(30, 60, 140))
    path = tmp_path / "照片.jpg"
    photo.save(path, "JPEG", quality=95)
    [attached] = attach_files(village, agent, case_no, "application_form", [path])
    with Image.open(io.BytesIO(blob_files(village).read(attached.sha256))) as image:
        assert (image.format, image.mode) == ("JPEG", "RGB")
    [grey] = attach_files(village, agent, case_no, "application_form", [path], grayscale=True)
    with Image.open(io.BytesIO(blob_files(village).read(grey.sha256))) as image:  # the grayscale setting is for photos
        assert (image.format, image.mode) == ("JPEG", "L")


def test_a_page_under_uneven_light_keeps_its_strokes_and_drops_the_shadow() -> None:
    ink = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(ink)
    for row in range(20):
        draw.line([100, 100 + row * 80, 1100, 100 + row * 80], fill=0, width=4)
    light = Image.linear_gradient("L").resize(ink.size).point(lambda v: 140 + v * 100 // 255)
    photo = ImageChops.multiply(light, ink.point(lambda v: 40 + v * 215 // 255))
    assert looks_like_document(photo)
    page = bilevel_page(photo, long_edge=1754)
    black = page.convert("L").point(lambda v: 255 if v < 128 else 0)
    truth = ink.point(lambda v: 255 if v < 128 else 0)
    assert ImageChops.multiply(black, truth).histogram()[255] >= 0.95 * truth.histogram()[255]  # strokes kept
    assert black.histogram()[255] <= 1.2 * truth.histogram()[255]  # the dim corner did not turn black


def test_a_pdf_travels_byte_identical(village: StationService, agent: Operator, case_no: str, tmp_path: Path) -> None:
    renamed = tmp_path / "委托书.png"  # a wrong name does not fool the sniffer
    renamed.write_bytes(tiny_pdf())
    [attached] = attach_files(village, agent, case_no, AUTHORISATION, [renamed])
    assert attached.type == "application/pdf" and attached.sha256 == attached.original_sha256 and not attached.reduced
    [row] = list_attachments(village, case_no)
    assert Path(row["path"]).read_bytes() == tiny_pdf()
    assert row["material_name"] == "委托书"


def test_every_problem_is_reported_and_nothing_is_written(village: StationService, agent: Operator, case_no: str,
                                                          tmp_path: Path, scan_dir: Path) -> None:
    (tmp_path / "scan.jpg").write_text("not an image at all", encoding="utf-8")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    events_before = village.store.event_count()
    with pytest.raises(BadInput) as error:
        attach_files(village, agent, case_no, "passport", [
            scan_dir / "户口本.jpg", tmp_path / "scan.jpg", tmp_path / "missing.pdf", tmp_path / "broken.jpg"])
    problems = error.value.problems
    assert len(problems) == 4
    assert "passport" in problems[0] and "id_and_hukou" in problems[0] and "authorisation" in problems[0]
    assert "只接受 JPEG、PNG 或 PDF" in problems[1] and "不存在" in problems[2] and "无法读取" in problems[3]
    assert village.store.event_count() == events_before
    assert not village.home.attachments_dir.exists() or not any(village.home.attachments_dir.rglob("*?/*"))


def test_the_same_scan_twice_is_stored_once(village: StationService, agent: Operator, case_no: str,
                                            scan_dir: Path) -> None:
    first = attach_files(village, agent, case_no, "id_and_hukou", [scan_dir / "户口本.jpg"])[0]
    second = attach_files(village, agent, case_no, AUTHORISATION, [scan_dir / "户口本.jpg"])[0]
    assert first.sha256 == second.sha256
    usage = disk_usage(village)
    assert usage["used_bytes"] == first.size + first.original_size
    assert usage["pending_upload_files"] == 1 and usage["pending_upload_bytes"] == first.size
    assert len(list_attachments(village, case_no)) == 2
