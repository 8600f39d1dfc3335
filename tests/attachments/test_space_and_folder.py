"""The disk cap (never deleting what has not gone up) and the document camera's folder."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from station.attachments import AttachmentSettings, WatchedFolder, attach_files, blob_files, disk_usage
from station.attachments import records
from station.errors import NotAllowed
from station.service import Operator, StationService

from .scans import tiny_pdf


def _cap(village: StationService, megabytes: int) -> None:
    AttachmentSettings(cap_megabytes=megabytes).save(village.home.root)


def test_over_the_cap_is_refused_and_nothing_unsent_is_deleted(village: StationService, agent: Operator,
                                                                case_no: str, scan_dir: Path) -> None:
    _cap(village, 2)
    first = attach_files(village, agent, case_no, "id_and_hukou", [scan_dir / "户口本.jpg"])[0]
    with pytest.raises(NotAllowed) as error:
        attach_files(village, agent, case_no, "application_form", [scan_dir / "申请表.png"])
    assert "附件存储已满" in str(error.value) and "station upload" in str(error.value)
    assert blob_files(village).has(first.sha256) and blob_files(village).has(first.original_sha256)


def test_copies_the_city_hall_holds_make_room(village: StationService, agent: Operator, case_no: str,
                                              scan_dir: Path, tmp_path: Path) -> None:
    _cap(village, 2)
    first = attach_files(village, agent, case_no, "id_and_hukou", [scan_dir / "户口本.jpg"])[0]
    records.mark_uploaded(village.store, first.sha256)
    second_scan = tmp_path / "second.pdf"  # fits only once the uploaded copy is gone
    second_scan.write_bytes(tiny_pdf() + b"%" + os.urandom(400_000))  # the bilevel wire copy is some 70 KB
    attach_files(village, agent, case_no, "application_form", [second_scan])
    files = blob_files(village)
    assert not files.has(first.sha256), "the uploaded wire copy made room"
    assert files.has(first.original_sha256), "an original is never evicted"
    assert disk_usage(village)["used_bytes"] <= 2 * 1024 * 1024


def test_watched_folder_takes_finished_files_once(village: StationService, agent: Operator, case_no: str,
                                                  tmp_path: Path, scan_dir: Path) -> None:
    camera = tmp_path / "高拍仪"
    camera.mkdir()
    (camera / "IMG_0001.jpg").write_bytes((scan_dir / "户口本.jpg").read_bytes())
    (camera / "scan.pdf").write_bytes(tiny_pdf())
    (camera / "notes.txt").write_text("备忘", encoding="utf-8")
    now = [1000.0]
    folder = WatchedFolder(camera, settle_seconds=2, clock=lambda: now[0])
    assert folder.scan(village, agent, case_no, "id_and_hukou").attached == []  # sizes not yet settled
    now[0] += 3
    result = folder.scan(village, agent, case_no, "id_and_hukou")
    assert sorted(a.name for a in result.attached) == ["IMG_0001.jpg", "scan.pdf"]
    assert result.refused == ["notes.txt：不是 JPEG、PNG 或 PDF"]
    assert sorted(p.name for p in (camera / "已导入").iterdir()) == ["IMG_0001.jpg", "scan.pdf"]
    assert (camera / "无法识别" / "notes.txt").exists()
    now[0] += 3
    assert folder.scan(village, agent, case_no, "id_and_hukou").attached == []
    assert len(village.case(case_no).attachments) == 2
