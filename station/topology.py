"""The station tree from ``stations.toml``: who is whose parent, at which level.

Both the station and the city hall read the same file, so both derive the same
handler for a forwarded case and the same visibility of a case.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

__all__ = ["LEVELS", "Station", "Topology", "TopologyError", "CityHall", "station_name"]

LEVELS = ("village", "township", "county", "city")
LEVEL_LABELS = {"village": "村（社区）", "township": "乡镇（街道）", "county": "县（区）", "city": "市"}


class TopologyError(ValueError):
    """The stations file is malformed; the message lists every problem."""


class Station(NamedTuple):
    code: str
    """12-digit division code, unique in the tree."""
    name: str
    level: str
    """One of ``LEVELS``."""
    parent: str | None
    """Code of the parent station; ``None`` only at the root."""


class CityHall(NamedTuple):
    name: str
    url: str
    """Where stations sync."""
    public_url: str
    """Base of the tracking URL printed in QR codes."""
    code: str
    """The station code the city hall speaks as (tracking-page ratings)."""


class Topology:
    def __init__(self, cityhall: CityHall, stations: list[Station]) -> None:
        self.cityhall = cityhall
        self._stations = {s.code: s for s in stations}
        self._ancestors: dict[str, tuple[str, ...]] = {}
        """``ancestors`` of each code asked about: the hub asks for every event it ingests."""

    @classmethod
    def load(cls, path: Path, cache_file: Path | None = None) -> Topology:
        """The topology file; ``cache_file`` keeps it parsed while its bytes stay the same."""
        from forms.parsed_cache import read_toml

        try:
            raw = read_toml(path, cache_file)
        except (OSError, ValueError) as exc:  # ValueError: not TOML (tomllib.TOMLDecodeError) or not UTF-8
            raise TopologyError(f"{path}: {exc}") from exc
        return cls.from_dict(raw, source=str(path))

    @classmethod
    def from_dict(cls, raw: Mapping[str, object], source: str = "stations.toml") -> Topology:
        problems: list[str] = []
        hall = _table(raw.get("cityhall"))
        for key in ("name", "url", "public_url"):
            if not isinstance(hall.get(key), str):
                problems.append(f"[cityhall] needs a string '{key}'")
        if "code" in hall and not _is_station_code(hall["code"]):
            problems.append(f"[cityhall] code must be 12 digits, got {hall['code']!r}")
        entries = raw.get("stations", [])
        if not isinstance(entries, list):
            problems.append("[[stations]] must be a list of tables")
            entries = []
        stations = [_station(_table(entry), i, problems) for i, entry in enumerate(entries)]
        topology = cls(
            CityHall(
                name=str(hall.get("name", "")),
                url=str(hall.get("url", "")).rstrip("/"),
                public_url=str(hall.get("public_url", "")).rstrip("/"),
                code=str(hall.get("code") or _root_code(stations)),
            ),
            stations,
        )
        problems += topology._tree_problems()
        if problems:
            raise TopologyError(f"{source}: " + "; ".join(problems))
        return topology

    def _tree_problems(self) -> list[str]:
        problems = []
        roots = [s for s in self._stations.values() if s.parent is None]
        if len(roots) != 1:
            problems.append(f"exactly one station must have no parent, found {len(roots)}")
        for s in self._stations.values():
            if s.parent is None:
                continue
            parent = self._stations.get(s.parent)
            if parent is None:
                problems.append(f"station {s.code}: unknown parent {s.parent}")
            elif LEVELS.index(parent.level) <= LEVELS.index(s.level):
                problems.append(f"station {s.code}: parent {s.parent} is not at a higher level")
        return problems

    def __contains__(self, code: object) -> bool:
        return code in self._stations

    def get(self, code: str) -> Station:
        return self._stations[code]

    def stations(self) -> list[Station]:
        return list(self._stations.values())

    def ancestors(self, code: str) -> list[str]:
        """Codes above ``code``, nearest first."""
        if code not in self._ancestors:
            self._ancestors[code] = tuple(self._chain_above(code))
        return list(self._ancestors[code])

    def _chain_above(self, code: str) -> list[str]:
        chain = []
        parent = self._stations[code].parent if code in self._stations else None
        while parent is not None:
            chain.append(parent)
            parent = self._stations[parent].parent
        return chain

    def is_ancestor(self, ancestor: str, code: str) -> bool:
        return code in self._stations and ancestor in self.ancestors(code)

    def ancestor_at_level(self, code: str, level: str) -> str | None:
        """The station at ``level`` on the way up from ``code`` (itself included)."""
        for candidate in [code, *self.ancestors(code)]:
            if self._stations[candidate].level == level:
                return candidate
        return None

    def descendants(self, code: str) -> list[str]:
        return [c for c in self._stations if self.is_ancestor(code, c)]


def _table(value: object) -> Mapping[str, object]:
    """A TOML table, or an empty one for anything else (its missing keys are then reported)."""
    return value if isinstance(value, dict) else {}


def _station(entry: Mapping[str, object], index: int, problems: list[str]) -> Station:
    where = f"[[stations]] #{index + 1}"
    code = str(entry.get("code", ""))
    if not _is_station_code(code):
        problems.append(f"{where}: code must be 12 digits, got {code!r}")
    level = entry.get("level")
    if level not in LEVELS:
        problems.append(f"{where}: level must be one of {', '.join(LEVELS)}, got {level!r}")
    if not entry.get("name"):
        problems.append(f"{where}: name is missing")
    parent = entry.get("parent")
    return Station(code=code, name=str(entry.get("name", "")), level=str(level), parent=str(parent) if parent else None)


def _is_station_code(code: object) -> bool:
    return isinstance(code, str) and len(code) == 12 and code.isascii() and code.isdigit()


def _root_code(stations: list[Station]) -> str:
    roots = [s.code for s in stations if s.parent is None]
    return roots[0] if roots else ""


def station_name(topology: Topology, code: str) -> str:
    """The station's name, or its code when this topology does not know it."""
    return topology.get(code).name if code in topology else code
