"""The station's data folder: where every file of a station lives, in one place."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import timedelta, timezone
from pathlib import Path

__all__ = ["StationHome", "StationConfig", "default_home", "CHINA_TZ"]

CHINA_TZ = timezone(timedelta(hours=8), "CST")


def default_home() -> Path:
    """``STATION_HOME``, else a folder in the user's data directory."""
    env = os.environ.get("STATION_HOME")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "service-station"


@dataclass(frozen=True)
class StationHome:
    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / "station.toml"

    @property
    def topology_file(self) -> Path:
        return self.root / "stations.toml"

    @property
    def database(self) -> Path:
        return self.root / "station.db"

    @property
    def key_file(self) -> Path:
        return self.root / "station.key"

    @property
    def calendar_dir(self) -> Path:
        """Working-day tables newer than the built-in ones (distributed by the city hall)."""
        return self.root / "calendars"

    @property
    def catalogue_dir(self) -> Path:
        """Item definitions published by the city hall, newer than the built-in ones."""
        return self.root / "items"

    @property
    def attachments_dir(self) -> Path:
        return self.root / "attachments"

    @property
    def cache_dir(self) -> Path:
        """What is kept only to start faster (parsed files); safe to delete at any time."""
        return self.root / "cache"

    @property
    def exists(self) -> bool:
        return self.config_file.exists()


@dataclass(frozen=True)
class StationConfig:
    """What ``station init`` wrote to ``station.toml``."""

    station: str
    """This station's 12-digit code in the topology."""
    language: str = "zh"
    """Language of the terminal app: ``zh`` or ``en``."""
    idle_lock_minutes: int = 10
    """The app locks after this many minutes without a key press."""

    @classmethod
    def load(cls, path: Path) -> StationConfig:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(station=str(raw["station"]), language=str(raw.get("language", "zh")),
                   idle_lock_minutes=int(raw.get("idle_lock_minutes", 10)))

    def dump(self) -> str:
        return (f'station = "{self.station}"\nlanguage = "{self.language}"\n'
                f"idle_lock_minutes = {self.idle_lock_minutes}\n")
