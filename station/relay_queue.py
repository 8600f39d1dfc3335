"""Bundles carried from stations below, waiting here to be relayed upward byte for byte.

Each file's name carries how many events it holds, so the pending count on the status
bar and in ``station sync`` can include them without reading megabytes at every refresh.
A file the city hall refused (a 4xx answer) is moved into ``refused/`` inside the queue
folder, with the hub's reason beside it: kept for a person to look at, never sent again.
"""
from __future__ import annotations

import re
from pathlib import Path

__all__ = ["relay_folder", "refused_folder", "relay_file_name", "relayed_events"]

_EVENTS_IN_NAME = re.compile(r"-(\d+)e\.bundle$")


def relay_folder(root: Path) -> Path:
    return root / "relay"


def refused_folder(root: Path) -> Path:
    """Relay files the city hall refused, set aside so they never block a sync."""
    return relay_folder(root) / "refused"


def relay_file_name(station: str, digest: str, events: int) -> str:
    """``digest`` names the bundle's bytes: the same stick imported twice is one file."""
    return f"{station}-{digest[:16]}-{events}e.bundle"


def relayed_events(root: Path) -> int:
    """Events in the bundles waiting to go up; a file named before counts were kept counts as one."""
    folder = relay_folder(root)
    if not folder.is_dir():
        return 0
    total = 0
    for path in folder.glob("*.bundle"):
        found = _EVENTS_IN_NAME.search(path.name)
        total += int(found.group(1)) if found else 1
    return total
