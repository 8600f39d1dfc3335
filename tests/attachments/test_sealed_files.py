"""Attachment files are sealed at rest; every reader opens them; old plain files are sealed at unlock."""
from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

import pytest

from station.attachments import attach_files, blob_files, list_attachments
from station.attachments.blobs import BlobDamaged
from station.lockbox import Credentials
from station.sealed_files import MAGIC, RECORD_BYTES
from station.service import Operator, StationService


def _raw_files(service: StationService) -> list[Path]:
    return [p for p in service.home.attachments_dir.glob("??/*") if p.is_file()]


def test_a_scan_on_disk_is_sealed_and_reads_back_byte_identical(village: StationService, agent: Operator,
                                                               case_no: str, scan_dir: Path) -> None:
    original = (scan_dir / "户口本.jpg").read_bytes()
    [attached] = attach_files(village, agent, case_no, "id_and_hukou", [scan_dir / "户口本.jpg"])
    files = blob_files(village)
    assert files.read(attached.original_sha256) == original
    for path in _raw_files(village):
        raw = path.read_bytes()
        assert raw.startswith(MAGIC) and original[:4096] not in raw and original[-4096:] not in raw
    assert files.size(attached.original_sha256) == len(original) > RECORD_BYTES  # several records
    middle = len(original) // 2
    assert files.read_range(attached.original_sha256, middle, 100_000) == original[middle:middle + 100_000]


def test_a_changed_or_cut_sealed_file_does_not_open(village: StationService, agent: Operator, case_no: str,
                                                    scan_dir: Path) -> None:
    [attached] = attach_files(village, agent, case_no, "authorisation", [scan_dir / "委托书.pdf"])
    files = blob_files(village)
    path = files.path(attached.sha256)
    sealed = path.read_bytes()
    path.write_bytes(sealed[:-1] + bytes([sealed[-1] ^ 1]))
    assert not files.verify(attached.sha256)
    with pytest.raises(BlobDamaged):
        files.read(attached.sha256)
    path.write_bytes(sealed[:-21])  # the closing record cut off
    with pytest.raises(BlobDamaged):
        files.read(attached.sha256)
    path.write_bytes(sealed)
    assert files.verify(attached.sha256)


def test_plain_files_an_older_version_left_are_read_and_sealed_at_the_next_unlock(
        village: StationService, agent: Operator, case_no: str, scan_dir: Path) -> None:
    [attached] = attach_files(village, agent, case_no, "authorisation", [scan_dir / "委托书.pdf"])
    pdf = (scan_dir / "委托书.pdf").read_bytes()
    path = blob_files(village).path(attached.sha256)
    path.write_bytes(pdf)  # as an older version wrote it
    village.store.set_meta("files_sealed", "0")
    assert blob_files(village).read(attached.sha256) == pdf  # read as it is meanwhile
    village.close()
    again = StationService(village.home, credentials=Credentials(pin="1234"))
    try:
        assert again.store.get_meta("files_sealed") == "1"
        assert path.read_bytes().startswith(MAGIC) and pdf not in path.read_bytes()
        assert blob_files(again).read(attached.sha256) == pdf
        assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temporary left
    finally:
        again.close()


def test_listing_writes_readable_copies_to_a_private_folder_outside_the_home_replaced_each_time(
        village: StationService, agent: Operator, case_no: str, scan_dir: Path) -> None:
    attach_files(village, agent, case_no, "authorisation", [scan_dir / "委托书.pdf"])
    [row] = list_attachments(village, case_no)
    copy = Path(row["path"])
    assert copy.read_bytes() == (scan_dir / "委托书.pdf").read_bytes() and copy.suffix == ".pdf"
    assert copy.is_relative_to(Path(tempfile.gettempdir())) and not copy.is_relative_to(village.home.root)
    for folder in (copy.parent, copy.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and folder.stat().st_uid == os.getuid()
    stale = copy.parent / ("0" * 64 + ".png")
    stale.write_bytes(b"an earlier listing's copy")
    [again] = list_attachments(village, case_no)
    assert Path(again["path"]) == copy and copy.is_file() and not stale.exists()


def test_a_download_cut_mid_record_resumes_after_its_last_whole_record(village: StationService) -> None:
    files = blob_files(village)
    data = os.urandom(3 * 1024 * 1024 + 123)
    sha = hashlib.sha256(data).hexdigest()
    partial = files.partial(sha)
    with partial.path.open("ab") as out:
        writer = partial.writer(out)
        writer.write(data[:RECORD_BYTES + 10])
        writer.flush_record()
    whole = partial.path.stat().st_size
    with partial.path.open("ab") as out:
        out.write(b"\x00\x00\x10\x00" + b"torn")  # a record the power cut tore
    resumed = files.partial(sha)
    assert resumed.length == RECORD_BYTES + 10 and resumed.path.stat().st_size == whole
    assert data[:4096] not in resumed.path.read_bytes()
    with resumed.path.open("ab") as out:
        writer = resumed.writer(out)
        writer.write(data[resumed.length:])
        writer.flush_record()
    assert files.adopt(files.partial(sha)) and files.read(sha) == data and not files.partial(sha).path.exists()


def test_a_download_that_does_not_match_its_digest_is_dropped(village: StationService) -> None:
    files = blob_files(village)
    sha = "ab" * 32
    partial = files.partial(sha)
    with partial.path.open("ab") as out:
        writer = partial.writer(out)
        writer.write(b"not the file")
        writer.flush_record()
    assert not files.adopt(files.partial(sha)) and not files.has(sha) and not partial.path.exists()
