"""Where the station's data folder is when none is named: the standard library alone, so the
command can find it before anything else has loaded (:mod:`station.unlock_ahead`)."""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_home"]


def default_home() -> Path:
    """``STATION_HOME``, else a folder in the user's data directory."""
    env = os.environ.get("STATION_HOME")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "service-station"
