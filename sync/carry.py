"""Station side of bundles: export what is unsent, import what another station carried.

Export never marks events as pushed: the stick may be lost, so the events stay in the
outbox and go up again when a link appears (the hub answers them as duplicates). The
same holds for attachment files: every wire copy that has not reached the city hall
rides along, and stays pending here.
Import keeps the bundle's events byte for byte for relaying when it came from below, and
keeps the files that a case visible here refers to, so they open offline; a relaying
station uploads them for the origin after it relayed the events.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from station.attachments import blob_files, file_sha256, records
from station.errors import BadInput, NotFound
from station.ledger import Event, fold
from station.service import StationService

from .bundle import Bundle, BundleError, BundleFile, bundle_head, read_bundle
from .client import relay_dir

__all__ = ["export_bundle", "import_bundle"]


def export_bundle(service: StationService, path: Path) -> dict[str, Any]:
    own = service.store.pending_events(10**9)
    for_below = _events_for_descendants(service)
    carried = [p.read_bytes() for p in sorted(relay_dir(service).glob("*.bundle"))] if relay_dir(service).is_dir() else []
    files, left_out = _files_to_carry(service)
    head = bundle_head(service.signing_key(), service.station.code, own + for_below,
                       service.now().isoformat(timespec="seconds"), carried, [listed for listed, _ in files])
    _write_atomically(path, head, files)
    file_bytes = sum(listed.size for listed, _ in files)
    return {"file": str(path), "events": len(own) + len(for_below), "own_events": len(own),
            "carried_bundles": len(carried), "files": len(files), "file_bytes": file_bytes,
            "files_left_out": left_out, "bytes": len(head) + file_bytes}


def _files_to_carry(service: StationService) -> tuple[list[tuple[BundleFile, Path]], list[str]]:
    """Wire copies that have not reached the city hall, each re-checked: a damaged one stays out, named."""
    blobs, files, left_out = blob_files(service), [], []
    for row in records.files_to_carry(service.store):
        listed = BundleFile(row["sha256"], int(row["size"]), row["type"], row["name"] or "", row["case_no"] or "")
        source = blobs.path(listed.sha256)
        if not source.is_file() or source.stat().st_size != listed.size or file_sha256(source) != listed.sha256:
            left_out.append(f"{listed.label()}在本站已缺失或损坏，未写入数据包；请重新扫描附上")
            continue
        files.append((listed, source))
    return files, left_out


def _events_for_descendants(service: StationService) -> list[Event]:
    """At a township or county: what it pulled for the stations below it, so a stick can carry it down."""
    below = service.topology.descendants(service.station.code)
    if not below:
        return []
    marks = ",".join("?" for _ in below)
    rows = service.store._query(  # read-only query the store has no helper for
        f"SELECT e.body FROM events e JOIN cases c ON c.case_no = e.case_no "
        f"WHERE e.recorded_here = 0 AND c.origin IN ({marks}) ORDER BY e.rowid", below)
    return [Event.from_dict(json.loads(r["body"])) for r in rows]


def _write_atomically(path: Path, head: bytes, files: Sequence[tuple[BundleFile, Path]] = ()) -> None:
    """The bundle goes to ``FILE.part`` first, files copied block by block, then renamed into place."""
    temporary = path.with_name(path.name + ".part")
    try:
        with temporary.open("wb") as handle:
            handle.write(head)
            for listed, source in files:
                _copy_checked(source, listed, handle)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(path)


def _copy_checked(source: Path, listed: BundleFile, out: BinaryIO) -> None:
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
    if digest.hexdigest() != listed.sha256:
        raise BadInput(f"{listed.label()}在写入数据包时发生了变化，数据包未写成；请重新导出")


def import_bundle(service: StationService, path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NotFound(f"读不到数据包文件 {path}：{exc.strerror}") from exc
    try:
        bundle = read_bundle(data)
    except BundleError as exc:
        raise BadInput(*(f"{path.name}：{problem}" for problem in exc.problems)) from exc
    flat = _flatten(bundle)
    visible = _visible_here(service, [e for b in flat for e in b.events])
    relaying = service.topology.is_ancestor(service.station.code, bundle.station)
    applied, kept = _apply_with_files(service, visible, flat, relaying)
    relayed = _keep_for_relay(service, bundle) if relaying else False
    return {"from": bundle.station, "events": sum(len(b.events) for b in flat), "applied": applied,
            "will_relay": relayed, "files": len(kept), "file_bytes": sum(len(d) for d in kept.values())}


def _apply_with_files(service: StationService, visible: list[Event], flat: list[Bundle],
                      relaying: bool) -> tuple[int, dict[str, memoryview]]:
    """Events and the files their cases refer to, in one transaction; files on disk first."""
    listed = {f.sha256: f for b in flat for f in b.files}
    contents = {sha: data for b in flat for sha, data in b.contents.items()}
    attached = [e for e in visible if _attached_sha(e) in contents]
    kept = {sha: contents[sha] for sha in map(_attached_sha, attached) if sha}
    blobs = blob_files(service)
    written = [blobs.put(bytes(data)) for sha, data in kept.items() if not blobs.has(sha)]
    try:
        with service.store.write():
            applied = service.apply_events(visible)
            _record_files(service, kept, listed, attached, "pending" if relaying else "not_needed")
    except BaseException:
        for sha in written:
            if records.blob_row(service.store, sha) is None:
                blobs.remove(sha)
        raise
    return applied, kept


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


def _flatten(bundle: Bundle) -> list[Bundle]:
    return [bundle] + [b for raw in bundle.carried for b in _flatten(read_bundle(raw))]


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


def _keep_for_relay(service: StationService, bundle: Bundle) -> bool:
    """A bundle from a station below goes up with this station's next push, its events byte for byte.

    Its files stay out of the relayed copy: they are in this station's attachment store now
    and go up through the resumable file upload, or inside this station's own next bundle.
    """
    folder = relay_dir(service)
    folder.mkdir(exist_ok=True)
    name = f"{bundle.station}-{hashlib.sha256(bundle.relayable).hexdigest()[:16]}.bundle"
    _write_atomically(folder / name, bundle.relayable)
    return True
