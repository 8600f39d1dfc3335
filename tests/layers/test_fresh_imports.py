"""What a fresh process loads: the hub no station store, the shared core no HTTP client, UI or store."""
from __future__ import annotations

import json
import subprocess
import sys

SHARED_CORE = ("forms", "station.ledger", "station.topology", "sync.wire")
"""``import sync.wire`` may load these (and the ``station`` and ``sync`` packages, which are empty)."""
PROJECT = ("forms", "station", "sync", "cityhall")


def _loaded(module: str) -> list[str]:
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def _under(names: list[str], *prefixes: str) -> list[str]:
    return [n for n in names if any(n == p or n.startswith(p + ".") for p in prefixes)]


def test_the_hub_loads_no_station_store_or_service() -> None:
    loaded = _loaded("cityhall.app")
    assert "cityhall.app" in loaded
    assert _under(loaded, "station.store", "station.service", "station.migrations", "station.tui", "station.cli",
                  "sync.client", "sync.loop", "sync.session", "textual", "sqlite_utils") == []


def test_the_wire_format_loads_only_the_shared_core() -> None:
    loaded = _loaded("sync.wire")
    project = [n for n in _under(loaded, *PROJECT) if n not in ("station", "sync")]
    assert "sync.wire" in project
    assert [n for n in project if not _under([n], *SHARED_CORE)] == []
    assert _under(loaded, "httpx", "textual", "sqlite_utils", "tenacity", "fastapi", "sqlalchemy") == []


def test_the_package_roots_load_nothing_more() -> None:
    loaded = _loaded("sync")
    assert _under(loaded, "sync") == ["sync"] and _under(loaded, "station", "httpx") == []
