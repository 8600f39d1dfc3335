"""Attach scans to a material of a case, list a case's attachments, show the disk they use.

``attach_files`` is what the command line and the terminal app call. It checks every
file first and reports every problem at once (nothing written); then the files go to
disk and one transaction records one ``attached`` event per file.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from station.errors import BadInput, NotAllowed
from station.ledger import CaseState
from station.sealed_files import files_key
from station.service import Operator, StationService

from . import records
from .blobs import BlobFiles, sha256_hex
from .copies import ReadableCopies
from .kinds import ACCEPTED_TYPES
from .reduce import UnreadableImage, WireCopy, wire_copy
from .settings import MB, AttachmentSettings
from .sniff_file import read_scan

__all__ = ["AUTHORISATION", "AttachedFile", "attach_files", "list_attachments", "disk_usage", "blob_files",
           "material_choices"]

AUTHORISATION = "authorisation"
"""The citizen's signed authorisation for the agent to file on their behalf (委托书)."""
_AUTHORISATION_NAME = "委托书"


@dataclass(frozen=True)
class AttachedFile:
    case_no: str
    material: str
    name: str
    sha256: str
    size: int
    type: str
    original_sha256: str
    original_size: int
    reduced: bool
    event_id: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Prepared:
    name: str
    original: bytes
    original_type: str
    wire: WireCopy

    @property
    def original_sha256(self) -> str:
        return sha256_hex(self.original)

    @property
    def wire_sha256(self) -> str:
        return sha256_hex(self.wire.data)


def blob_files(service: StationService) -> BlobFiles:
    """The station's attachment files, sealed under the files key the unlocked store holds."""
    return BlobFiles(service.home.attachments_dir, files_key(service.store))


def material_choices(state: CaseState) -> dict[str, str]:
    """Material keys a file may prove on this case, with their names."""
    return {m["key"]: str(m["name"]) for m in state.materials} | {AUTHORISATION: _AUTHORISATION_NAME}


def attach_files(service: StationService, operator: Operator, case_no: str, material: str,
                 paths: list[Path], grayscale: bool | None = None) -> list[AttachedFile]:
    settings = AttachmentSettings.load(service.home.root)
    state = service.case(case_no)
    prepared = _prepare(state, material, paths, settings, settings.grayscale if grayscale is None else grayscale)
    _make_room(service, settings, prepared)
    written = _write_files(service, prepared)
    try:
        return _record(service, operator, state.case_no, material, prepared)
    except BaseException:
        _forget_unrecorded(service, written)
        raise


def _prepare(state: CaseState, material: str, paths: list[Path], settings: AttachmentSettings,
             grayscale: bool) -> list[_Prepared]:
    problems: list[str] = []
    choices = material_choices(state)
    if material not in choices:
        listing = "、".join(f"{key}（{name}）" for key, name in choices.items())
        problems.append(f"材料代码“{material}”不是该案件的材料；可选：{listing}")
    if not paths:
        problems.append("请至少给出一个文件（JPEG、PNG 或 PDF）")
    prepared = [p for p in (_prepare_one(path, settings, grayscale, problems) for path in paths) if p]
    if problems:
        raise BadInput(*problems)
    return prepared


def _prepare_one(path: Path, settings: AttachmentSettings, grayscale: bool,
                 problems: list[str]) -> _Prepared | None:
    scan = read_scan(path, settings.max_file_megabytes * MB, problems)
    if scan is None:
        return None
    data, media_type = scan
    try:
        wire = wire_copy(data, media_type, grayscale)
    except UnreadableImage:
        problems.append(f"{path}：图片已损坏或无法读取，请重新扫描")
        return None
    return _Prepared(path.name[-120:], data, media_type, wire)


def _make_room(service: StationService, settings: AttachmentSettings, prepared: list[_Prepared]) -> None:
    """Refuse, in Chinese, what would pass the cap; only copies the city hall holds may go."""
    files = blob_files(service)
    new = {p.original_sha256: len(p.original) for p in prepared} | {p.wire_sha256: len(p.wire.data) for p in prepared}
    needed = sum(size for sha, size in new.items() if not files.has(sha))
    used = disk_usage(service)["used_bytes"]
    if used + needed <= settings.cap_bytes:
        return
    with service.store.write():
        for row in records.evictable_blobs(service.store):
            if used + needed <= settings.cap_bytes:
                break
            files.remove(row["sha256"])
            records.mark_absent(service.store, row["sha256"])
            used -= row["size"]
    if used + needed > settings.cap_bytes:
        raise NotAllowed(
            f"附件存储已满：上限 {settings.cap_megabytes} MB，已用 {used / MB:.1f} MB，本次还需 {needed / MB:.1f} MB。"
            "尚未上传的附件不能删除：请先联网运行 station upload 上传附件，"
            "或用 station attach-config --cap-mb 调高上限")


def _write_files(service: StationService, prepared: list[_Prepared]) -> list[str]:
    files, written = blob_files(service), []
    for item in prepared:
        for data in (item.original, item.wire.data):
            digest = sha256_hex(data)
            if not files.has(digest):
                files.put(data)
                written.append(digest)
    return written


def _forget_unrecorded(service: StationService, written: list[str]) -> None:
    files = blob_files(service)
    for digest in written:
        if records.blob_row(service.store, digest) is None:
            files.remove(digest)


def _record(service: StationService, operator: Operator, case_no: str, material: str,
            prepared: list[_Prepared]) -> list[AttachedFile]:
    attached = []
    with service.store.write():
        state = service.case(case_no)
        for item in prepared:
            attached.append(_record_one(service, operator, state, material, item))
    return attached


def _record_one(service: StationService, operator: Operator, state: CaseState, material: str,
                item: _Prepared) -> AttachedFile:
    store = service.store
    wire_sha, original_sha = item.wire_sha256, item.original_sha256
    if original_sha != wire_sha:
        records.add_blob(store, original_sha, len(item.original), item.original_type, "original", "local")
    records.add_blob(store, wire_sha, len(item.wire.data), item.wire.media_type, "wire", "local")
    data = {"material": material, "sha256": wire_sha, "size": len(item.wire.data), "type": item.wire.media_type,
            "name": item.name, "original_sha256": original_sha, "original_size": len(item.original)}
    event = service.record_step(state, "attached", operator, data)
    records.add_link(store, event.id, state.case_no, material, wire_sha, original_sha, item.name)
    return AttachedFile(state.case_no, material, item.name, wire_sha, len(item.wire.data), item.wire.media_type,
                        original_sha, len(item.original), item.wire.reduced, event.id)


def list_attachments(service: StationService, case_no: str, readable: bool = True) -> list[dict[str, Any]]:
    """Every file attached to the case (here or elsewhere), with a path when this station has it.

    The files are sealed at rest: each ``path`` is a readable copy written now to this user's
    private folder outside the home (:class:`ReadableCopies`), replacing the last listing's.
    ``here`` says whether the file is on this station; ``readable=False`` writes no copy (``path`` is then None).
    """
    state = service.case(case_no)
    files, names = blob_files(service), material_choices(state)
    copies = ReadableCopies.for_home(service.home.root) if readable else None
    listing = []
    for event in service.store.case_events(state.case_no):
        if event.kind != "attached" or event.data.get("type") not in ACCEPTED_TYPES:
            continue
        listing.append(_listing_entry(event.data, files, names, copies) | {"station": event.station, "at": event.at})
    if copies is not None:
        copies.drop_others()
    return listing


def _listing_entry(data: dict[str, Any], files: BlobFiles, names: dict[str, str],
                   copies: ReadableCopies | None) -> dict[str, Any]:
    sha, original = str(data.get("sha256", "")), str(data.get("original_sha256") or data.get("sha256", ""))
    media_type = str(data.get("type", ""))
    return {
        "material": data.get("material"), "material_name": names.get(str(data.get("material")), ""),
        "sha256": sha, "size": data.get("size"), "type": data.get("type"), "name": data.get("name"),
        "here": _here(files, sha), "path": _local_path(files, sha, media_type, copies), "original_sha256": original,
        "original_path": _local_path(files, original, "", copies),
    }


def _here(files: BlobFiles, sha256: str) -> bool:
    try:
        return files.has(sha256)
    except ValueError:
        return False


def _local_path(files: BlobFiles, sha256: str, media_type: str, copies: ReadableCopies | None) -> str | None:
    if copies is None or not _here(files, sha256):
        return None
    return copies.write(files, sha256, media_type)


def disk_usage(service: StationService) -> dict[str, int]:
    """Bytes and files the attachments use, by kind, against the cap."""
    settings = AttachmentSettings.load(service.home.root)
    totals = {"originals_bytes": 0, "wire_bytes": 0, "fetched_bytes": 0, "pending_upload_bytes": 0,
              "pending_upload_files": 0}
    for row in records.usage_rows(service.store):
        key = "fetched_bytes" if row["source"] == "fetched" else f"{'originals' if row['role'] == 'original' else 'wire'}_bytes"
        totals[key] += row["bytes"]
        if row["upload_state"] == "pending":
            totals["pending_upload_bytes"] += row["bytes"]
            totals["pending_upload_files"] += row["files"]
    partial = blob_files(service).partial_bytes()
    used = totals["originals_bytes"] + totals["wire_bytes"] + totals["fetched_bytes"] + partial
    return totals | {"partial_bytes": partial, "used_bytes": used, "cap_bytes": settings.cap_bytes}
