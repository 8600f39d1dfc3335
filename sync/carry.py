"""Station side of bundles: export what is unsent, import what another station carried.

Export never marks events as pushed: the stick may be lost, so the events stay in the
outbox and go up again when a link appears (the hub answers them as duplicates).
Import keeps the bundle's bytes unchanged for relaying when it came from below.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

from station.errors import BadInput, NotFound
from station.ledger import Event, fold
from station.service import StationService

from .bundle import Bundle, BundleError, read_bundle, write_bundle
from .client import relay_dir

__all__ = ["export_bundle", "import_bundle"]


def export_bundle(service: StationService, path: Path) -> dict[str, Any]:
    own = service.store.pending_events(10**9)
    for_below = _events_for_descendants(service)
    carried = [p.read_bytes() for p in sorted(relay_dir(service).glob("*.bundle"))] if relay_dir(service).is_dir() else []
    data = write_bundle(service.signing_key(), service.station.code, own + for_below,
                        service.now().isoformat(timespec="seconds"), carried)
    _write_atomically(path, data)
    return {"file": str(path), "events": len(own) + len(for_below), "own_events": len(own),
            "carried_bundles": len(carried), "bytes": len(data)}


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


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".part")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


def import_bundle(service: StationService, path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NotFound(f"读不到数据包文件 {path}：{exc.strerror}") from exc
    try:
        bundle = read_bundle(data)
    except BundleError as exc:
        raise BadInput(f"{path.name}：{exc}") from exc
    events = [e for b in _flatten(bundle) for e in b.events]
    applied = service.apply_events(_visible_here(service, events))
    relayed = _keep_for_relay(service, bundle)
    return {"from": bundle.station, "events": len(events), "applied": applied, "will_relay": relayed}


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
    """A bundle from a station below goes up with this station's next push, byte for byte."""
    if not service.topology.is_ancestor(service.station.code, bundle.station):
        return False
    folder = relay_dir(service)
    folder.mkdir(exist_ok=True)
    name = f"{bundle.station}-{hashlib.sha256(bundle.raw).hexdigest()[:16]}.bundle"
    _write_atomically(folder / name, bundle.raw)
    return True
