"""The station's data folder: where every file of a station lives, in one place."""
from __future__ import annotations

from datetime import timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from station.errors import NotFound
from station.home_dir import default_home

if TYPE_CHECKING:
    from forms import Catalogue
    from station.workdays import WorkCalendar

__all__ = ["StationHome", "StationConfig", "default_home", "CHINA_TZ"]

CHINA_TZ = timezone(timedelta(hours=8), "CST")


class StationHome(NamedTuple):
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

    def require(self) -> None:
        """:class:`NotFound` unless ``station init`` made this home."""
        if not self.exists:
            raise NotFound(f"{self.root} 还不是站点目录：请先运行 station init --station 站点代码")

    def catalogue(self) -> Catalogue:
        """The built-in items with those the city hall published here laid over them, parsed only
        when a file changed since the last start (the parsed items are kept in :attr:`cache_dir`).
        Neither the store nor a key is needed: ``station items`` opens nothing else."""
        from forms import station_catalogue

        return station_catalogue(self.catalogue_dir, self.cache_dir / "catalogue.pickle")

    def calendar(self) -> WorkCalendar:
        """The working-day tables: built-in, each year replaced by the city hall's if published here;
        parsed only when a file changed since the last start (kept in :attr:`cache_dir`)."""
        from station.workdays import WorkCalendar

        return WorkCalendar.load(self.calendar_dir, self.cache_dir / "calendar.pickle")

    @property
    def exists(self) -> bool:
        return self.config_file.exists()


class StationConfig(NamedTuple):
    """What ``station init`` wrote to ``station.toml``."""

    station: str
    """This station's 12-digit code in the topology."""
    language: str = "zh"
    """Language of the terminal app: ``zh`` or ``en``."""
    idle_lock_minutes: int = 10
    """The app locks after this many minutes without a key press."""

    @classmethod
    def load(cls, path: Path, cache_file: Path | None = None) -> StationConfig:
        """``station.toml``; ``cache_file`` keeps it parsed while its bytes stay the same."""
        from forms.parsed_cache import read_toml

        raw = read_toml(path, cache_file)
        return cls(station=str(raw["station"]), language=str(raw.get("language", "zh")),
                   idle_lock_minutes=int(raw.get("idle_lock_minutes", 10)))

    def dump(self) -> str:
        return (f'station = "{self.station}"\nlanguage = "{self.language}"\n'
                f"idle_lock_minutes = {self.idle_lock_minutes}\n")
