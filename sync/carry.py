"""Station side of bundles: export what is unsent, import what another station carried.

Export never marks events as pushed: the stick may be lost, so the events stay in the
outbox and go up again when a link appears (the hub answers them as duplicates). The
same holds for attachment files: every wire copy that has not reached the city hall
rides along, and stays pending here, together with the events behind it (its
``attached`` event and this station's events on its case), even when those events
went up over the link before the file's upload was cut: the station the stick reaches
can then open the case and keep the file. Re-sent events are harmless everywhere.

Import keeps the bundle's events byte for byte for relaying when it came from below, and
keeps the files that a case visible here refers to, so they open offline; a relaying
station uploads them for the origin after it relayed the events. A file is kept only
under an ``attached`` event recorded by the station that signed the bundle it came in,
or one this station already holds: a station passing a stick along cannot put a file
under another station's name. A listed file that stays out is named.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from station.attachments import BlobFiles, blob_files, records
from station.attachments.blobs import BlobDamaged
from station.enckey import known_keys
from station.errors import BadInput, NotAllowed, NotFound
from station.keys import public_key_text
from station.ledger import Event, fold
from station.relay_queue import relay_file_name
from station.service import StationService
from station.store import CaseQuery

from .bundle import Bundle, BundleError, BundleFile, printable, read_bundle, readable_carried
from .client import relay_dir
from .recipients import below_problems, bundle_recipients, opening_keys
from .revoked import known_revocations, revoked_key_problem
from .sealed_bundle import HUB, NotARecipient, SealedBundleWriter

__all__ = ["export_bundle", "import_bundle", "MAX_STICK_BYTES"]

MAX_STICK_BYTES = 256 * 1024 * 1024
"""A stick is read whole (and copied while it is opened): at most this, so an old PC's memory
holds it. An export leaves out the files that would pass it (named; they go next time)."""
_ROOM_FOR_EVENTS = 16 * 1024 * 1024
"""Kept free of files for the events, the carried bundles and the format's own bytes."""


def export_bundle(service: StationService, path: Path, for_station: str | None = None) -> dict[str, Any]:
    """A sealed bundle (version 2): refused, with nothing written, while a recipient's key is unknown.

    Without ``for_station`` it goes up: this station's unsent events, the files not yet at
    the city hall and the bundles it carries, sealed to the hub, itself and its ancestors.
    With it, it goes down to that station: every event held on the cases filed there or
    below, and their files not yet at the city hall, sealed to those stations as well.
    """
    if not path.parent.is_dir():
        raise NotFound(f"找不到文件夹 {path.parent}：请检查 U 盘是否插好，或换一个保存位置")
    if for_station is not None and (problems := below_problems(service.topology, service.station.code, for_station)):
        raise BadInput(*problems)
    recipients = bundle_recipients(service, for_station)
    content = _upward(service) if for_station is None else _downward(service, for_station)

    def write(out: BinaryIO) -> int:
        writer = SealedBundleWriter(out, service.signing_key(), service.station.code, content.events,
                                    service.now().isoformat(timespec="seconds"), recipients, content.carried,
                                    [listed for listed, _ in content.files])
        for listed, blobs in content.files:
            _copy_checked(blobs, listed, writer)
        return writer.finish()

    try:
        written = _write_atomically(path, write)
    except OSError as exc:
        raise BadInput(f"数据包没能写到 {path}（{exc.strerror}）：请检查 U 盘是否插好、是否已满、是否只读") from exc
    files = content.files
    return {"file": str(path), "for_station": for_station, "events": len(content.events), "own_events": content.own_events,
            "carried_bundles": len(content.carried), "files": len(files),
            "file_bytes": sum(listed.size for listed, _ in files), "files_left_out": content.left_out,
            "bytes": written, "sealed_to": [r.name for r in recipients]}


@dataclass(frozen=True)
class _Content:
    """What one stick carries."""

    events: list[Event]
    own_events: int
    files: list[tuple[BundleFile, BlobFiles]]
    left_out: list[str]
    carried: list[bytes]


def _upward(service: StationService) -> _Content:
    """Unsent events, files not yet at the city hall and the bundles carried from below.

    With the files go the events behind them and the other stations' events held on their
    cases (the village's intake of a scan carried up), so the station above can open the
    case and keep the files even when the village's own bundle went up over a link before.
    """
    own = service.store.pending_events(10**9)
    files, left_out = _files_to_carry(service)
    folder = relay_dir(service)
    carried = [p.read_bytes() for p in sorted(folder.glob("*.bundle"))] if folder.is_dir() else []
    cases = sorted({listed.case for listed, _ in files if listed.case})
    others = [e for case_no in cases for e in service.store.case_events(case_no) if e.station != service.station.code]
    events = _unique(own + others + _events_of_files(service, [listed for listed, _ in files]))
    return _Content(events, len(own), files, left_out, carried)


def _downward(service: StationService, for_station: str) -> _Content:
    """Everything held on the cases filed at ``for_station`` or below it, and those cases' files not yet uploaded."""
    topology = service.topology
    origins = (for_station, *topology.descendants(for_station))
    events = service.store.events_of_origins(origins)
    own = sum(event.station == service.station.code for event in events)
    cases = {event.case for event in events}
    files, left_out = _files_to_carry(service, cases)
    events = _unique(events + _events_of_files(service, [listed for listed, _ in files]))
    return _Content(events, own, files, left_out, [])


def _events_of_files(service: StationService, files: list[BundleFile]) -> list[Event]:
    if not files:
        return []
    bodies = records.events_of_files(service.store, [listed.sha256 for listed in files])
    return [Event.from_stored(json.loads(body)) for body in bodies]


def _unique(events: list[Event]) -> list[Event]:
    """Each event once, where it first appears."""
    by_identity: dict[tuple[str, str], Event] = {}
    for event in events:
        by_identity.setdefault(event.identity, event)
    return list(by_identity.values())


def _files_to_carry(service: StationService, cases: set[str] | None = None
                    ) -> tuple[list[tuple[BundleFile, BlobFiles]], list[str]]:
    """Wire copies that have not reached the city hall (of ``cases`` only, when given), each re-checked:
    a damaged one stays out, named."""
    blobs, files, left_out = blob_files(service), [], []
    room = MAX_STICK_BYTES - _ROOM_FOR_EVENTS
    for row in records.files_to_carry(service.store):
        listed = BundleFile(row["sha256"], int(row["size"]), row["type"], row["name"] or "", row["case_no"] or "")
        if cases is not None and listed.case not in cases:
            continue
        if not blobs.has(listed.sha256) or blobs.size(listed.sha256) != listed.size or not blobs.verify(listed.sha256):
            left_out.append(f"{listed.label()}在本站已缺失或损坏，未写入数据包；请重新扫描附上")
            continue
        if listed.size > room:
            left_out.append(f"{listed.label()}未写入：本数据包已满（最多 {MAX_STICK_BYTES >> 20} MB），下次导出时再带")
            continue
        room -= listed.size
        files.append((listed, blobs))
    return files, left_out


def _write_atomically(path: Path, write: Callable[[BinaryIO], int]) -> int:
    """The bundle goes to ``FILE.part`` first (files copied block by block), then is renamed into place."""
    temporary = path.with_name(path.name + ".part")
    try:
        with temporary.open("wb") as handle:
            written = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(path)
    return written


def _copy_checked(blobs: BlobFiles, listed: BundleFile, out: SealedBundleWriter) -> None:
    digest = hashlib.sha256()
    try:
        for block in blobs.chunks(listed.sha256):
            digest.update(block)
            out.write(block)
    except BlobDamaged as exc:
        raise BadInput(f"{listed.label()}在本站已损坏，数据包未写成；请重新扫描附上后再导出") from exc
    if digest.hexdigest() != listed.sha256:
        raise BadInput(f"{listed.label()}在写入数据包时发生了变化，数据包未写成；请重新导出")


def import_bundle(service: StationService, path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise NotFound(f"找不到数据包文件 {path}：请检查 U 盘是否插好、文件名是否写对")
    try:
        size = path.stat().st_size
        if size > MAX_STICK_BYTES:  # bounded before a byte is read: a stick anyone can write
            raise BadInput(f"{path.name} 有 {size >> 20} MB，超过数据包的上限 {MAX_STICK_BYTES >> 20} MB："
                           "这不是本工具写的数据包，或已损坏")
        data = path.read_bytes()
    except OSError as exc:
        raise NotFound(f"读不到数据包文件 {path}（{exc.strerror}）：请检查 U 盘是否插好") from exc
    keys = opening_keys(service)
    try:
        bundle = read_bundle(data, keys=keys)
    except BundleError as exc:
        raise BadInput(*(f"{path.name}：{problem}" for problem in exc.problems)) from exc
    except NotARecipient as exc:
        raise BadInput(_not_for_us(service, path, exc)) from exc
    flat = readable_carried(bundle, keys)
    relaying = service.topology.is_ancestor(service.station.code, bundle.station)
    if relaying:
        _refuse_not_for_hub(flat, path)
    _refuse_revoked(service, flat, path)
    _refuse_unknown_signers(service, flat, path)
    visible = _visible_here(service, [e for b in flat for e in b.events])
    applied, kept = _apply_with_files(service, visible, flat, relaying)
    events = sum(len(b.events) for b in flat)
    already_queued = relaying and _relay_path(service, bundle, events).exists()
    relayed = _keep_for_relay(service, bundle, events) if relaying else False
    dropped, for_others = _files_not_kept(service, bundle, kept)
    return {"from": bundle.station, "events": events, "applied": applied,
            "already_imported": events > 0 and applied == 0,
            "already_queued": already_queued,
            "will_relay": relayed, "files": len(kept), "file_bytes": sum(len(d) for d in kept.values()),
            "files_dropped": dropped, "files_for_other_stations": for_others}


def _apply_with_files(service: StationService, visible: list[Event], flat: list[Bundle],
                      relaying: bool) -> tuple[int, dict[str, memoryview]]:
    """Events and the files kept under them, all or nothing: files on disk first, then one transaction."""
    contents = {sha: data for b in flat for sha, data in b.contents.items()}
    attached = _attached_to_keep(service, visible, flat, contents)
    kept = {sha: contents[sha] for sha in map(_attached_sha, attached) if sha}
    listed = {f.sha256: f for b in flat for f in b.files}
    blobs, written = blob_files(service), []
    try:
        for sha, data in kept.items():
            if not blobs.has(sha):
                written.append(sha)
                blobs.put(data)
        with service.store.write():
            applied = service.apply_events(visible)
            _record_files(service, kept, listed, attached, "pending" if relaying else "not_needed")
    except BaseException:
        for sha in written:
            blobs.remove(sha)
        raise
    return applied, kept


def _attached_to_keep(service: StationService, visible: list[Event], flat: list[Bundle],
                      contents: dict[str, memoryview]) -> list[Event]:
    """The ``attached`` events a carried file is kept under.

    Only an event recorded by the station that signed the bundle it came in, or one this
    station already holds (an earlier pull or stick): a station passing a stick along may
    not make the next one hold a file under a village's name.
    """
    if not contents:
        return []
    visible_ids = {event.id for event in visible}
    signed_by_author = [e for b in flat for e in b.events if e.station == b.station and e.id in visible_ids]
    cases = {f.case for b in flat for f in b.files if f.sha256 in contents and f.case}
    cases |= {e.case for e in visible if _attached_sha(e) in contents}
    held = [e for case_no in sorted(cases) for e in service.store.case_events(case_no)]
    return [e for e in _unique(held + signed_by_author) if _attached_sha(e) in contents]


def _attached_sha(event: Event) -> str | None:
    sha = event.data.get("sha256") if event.kind == "attached" else None
    return sha if isinstance(sha, str) else None


def _record_files(service: StationService, kept: dict[str, memoryview], listed: dict[str, BundleFile],
                  attached: list[Event], upload_state: str) -> None:
    """Carried files count as fetched copies; a station relaying them upward owes their upload."""
    for sha, data in kept.items():
        records.add_blob(service.store, sha, len(data), listed[sha].type, "wire", "fetched", upload_state)
    for event in attached:
        sha = str(event.data["sha256"])
        records.add_link(service.store, event.id, event.case, str(event.data.get("material", "")), sha,
                         str(event.data.get("original_sha256") or sha), str(event.data.get("name", "")))


def _files_not_kept(service: StationService, bundle: Bundle, kept: dict[str, memoryview]) -> tuple[list[str], int]:
    """The listed files that stay off this station: named when their case is one it sees, else only counted."""
    blobs, origin, named, for_others = blob_files(service), printable(bundle.station), [], 0
    left_behind = {listed.sha256 for listed in bundle.files_left_behind}
    for listed in bundle.files:
        if listed.sha256 in kept or blobs.has(listed.sha256):
            continue
        if not (listed.case and service.store.case_count(CaseQuery(case_no=listed.case))):
            for_others += 1
        elif listed.sha256 in left_behind:
            named.append(f"{listed.label()}不在数据包里（附件部分缺失或被截断），未导入；请让 {origin} 重新导出数据包")
        else:
            named.append(f"{listed.label()}未导入：数据包里没有 {origin} 自己记录的该附件记录，本站也没有；"
                         f"联网同步后可用 station attachments {printable(listed.case)} --fetch 下载")
    return named, for_others


def _refuse_not_for_hub(flat: list[Bundle], path: Path) -> None:
    """A stick from below goes on to the city hall: one it could not open would never get there.

    Relayed, the hub would refuse it, so nothing of it is imported here (a bundle of
    version 1 has no recipients: the hub reads it as it is).
    """
    problems = [f"{path.name}：{printable(b.station)} 的数据包没有加密给市政务服务中心"
                f"（只加密给了 {printable('、'.join(b.recipients))}），本站无法代为上传，什么也没有导入；"
                f"请让 {printable(b.station)} 联网同步一次（station sync）后重新导出数据包"
                for b in flat if b.recipients and HUB not in b.recipients]
    if problems:
        raise BadInput(*problems)


def _refuse_revoked(service: StationService, flat: list[Bundle], path: Path) -> None:
    """Nothing is imported from a stick on which a revoked key signed anything after its revocation."""
    revoked = known_revocations(service.store)
    problems = [problem for b in flat
                if (problem := revoked_key_problem(revoked, b.station, b.public_key, b.created_at))]
    if problems:
        raise NotAllowed(*(f"{path.name}：{printable(problem)}" for problem in problems))


def _refuse_unknown_signers(service: StationService, flat: list[Bundle], path: Path) -> None:
    """Nothing is imported from a stick on which a bundle is signed by a key its origin did not enrol
    (the city hall tells each station its relatives' keys) nor had revoked (judged by its time above)."""
    enrolled = {**known_keys(service.store).signing, service.station.code: public_key_text(service.signing_key())}
    revoked = {(entry.station, entry.public_key) for entry in known_revocations(service.store)}
    problems = [_signer_problem(b.station, enrolled.get(b.station)) for b in flat
                if enrolled.get(b.station) != b.public_key and (b.station, b.public_key) not in revoked]
    if problems:
        raise NotAllowed(*(f"{path.name}：{problem}" for problem in dict.fromkeys(problems)))


def _signer_problem(station: str, enrolled: str | None) -> str:
    if enrolled is None:
        return (f"本站还没有收到 {printable(station)} 的签名公钥，无法确认数据包确实出自该站，什么也没有导入；"
                "请先联网同步一次（station sync），再导入")
    return (f"数据包的签名密钥不是 {printable(station)} 在市政务服务中心登记的签名密钥，可能是伪造的，"
            "什么也没有导入；如果该站刚换了电脑，请先联网同步一次再导入，否则请向乡镇或市政务服务中心核实这个 U 盘的来历")


def _not_for_us(service: StationService, path: Path, refused: NotARecipient) -> str:
    others = "、".join("市政务服务中心" if name == HUB else name for name in refused.recipients)
    return (f"{path.name}：这个数据包已加密，只有 {printable(refused.station)} 的上级站点和市政务服务中心能打开"
            f"（{printable(others)}），本站 {service.station.code} 不在其中，什么也没有导入；"
            "请把 U 盘交给上级站点，或联网同步")


def _visible_here(service: StationService, events: list[Event]) -> list[Event]:
    """Only cases this station may see: a stick from the township must not leave other villages' data here."""
    by_case: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_case[event.case].append(event)
    code, keep = service.station.code, []
    for case_no, new in by_case.items():
        state = fold(service.store.case_events(case_no) + new, service.topology)
        if state is not None and state.visible_to(code, service.topology):
            keep += new
    return keep


def _relay_path(service: StationService, bundle: Bundle, events: int) -> Path:
    return relay_dir(service) / relay_file_name(bundle.station, hashlib.sha256(bundle.relayable).hexdigest(), events)


def _keep_for_relay(service: StationService, bundle: Bundle, events: int) -> bool:
    """A bundle from a station below goes up with this station's next push, its events byte for byte.

    Its files stay out of the relayed copy: they are in this station's attachment store now
    and go up through the resumable file upload, or inside this station's own next bundle.
    """
    path = _relay_path(service, bundle, events)
    path.parent.mkdir(exist_ok=True)
    _write_atomically(path, lambda out: out.write(bundle.relayable))
    return True
