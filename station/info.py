"""What a station is, at any time: code, name, level, public key and where it syncs.

``station init`` prints the public key once; enrolling at the city hall, moving the hub or
answering a help-desk call needs it again later, so ``station info`` and the app's
本站信息 screen read it back from the home.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from station.enckey import encryption_public, own_encryption_public

if TYPE_CHECKING:  # the labels and the address need no store
    from station.service import StationService

__all__ = ["StationInfo", "station_info", "enrol_command", "LEVEL_LABELS", "CITYHALL_URL_ENV"]

CITYHALL_URL_ENV = "STATION_CITYHALL_URL"
"""Overrides ``[cityhall] url``; the same name as the sync session reads (kept here so that
showing the address does not load the network stack)."""

LEVEL_LABELS = {"village": "村（社区）", "township": "乡镇（街道）", "county": "县（区）", "city": "市"}


@dataclass(frozen=True)
class StationInfo:
    station: str
    name: str
    level: str
    """One of the fixed level identifiers (``village`` ...)."""
    level_label: str
    public_key: str
    hub_url: str
    """Where this station syncs: the override in the environment, else the home's stations.toml."""
    hub_url_source: str
    """``env`` when ``STATION_CITYHALL_URL`` set it, else ``stations.toml``."""
    public_url: str
    """The address the receipts' QR codes carry."""
    home: str
    topology_file: str
    parent: str | None
    encryption_key: str | None = None
    """The X25519 key bundles are sealed to for this station (``encryption.pub``); None until the store was
    first unlocked in a home made by an older version."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def station_info(service: StationService) -> StationInfo:
    from station.keys import public_key_text  # cryptography loads only where keys are used

    station = service.station
    override = os.environ.get(CITYHALL_URL_ENV, "").strip()
    hall = service.topology.cityhall
    return StationInfo(
        station=station.code, name=station.name, level=station.level,
        level_label=LEVEL_LABELS.get(station.level, station.level),
        public_key=public_key_text(service.signing_key()),
        hub_url=(override or hall.url).rstrip("/"), hub_url_source="env" if override else "stations.toml",
        public_url=hall.public_url, home=str(service.home.root), topology_file=str(service.home.topology_file),
        parent=station.parent, encryption_key=_encryption_key(service))


def _encryption_key(service: StationService) -> str | None:
    """The key to enrol: from the store when it is open (the file is only its copy), else the file."""
    root = service.home.root
    return own_encryption_public(service.store, root) if service.unlocked else encryption_public(root)


def enrol_command(code: str, public_key: str, encryption_key: str | None = None) -> str:
    """The city hall's enrolment line, safe to paste: a key may begin with ``-``, so each is
    given as ``--public-key=KEY`` / ``--encryption-key=KEY``, which no command-line parser takes for an option."""
    encryption = f" --encryption-key={encryption_key}" if encryption_key else ""
    return f"cityhall enroll {code} --public-key={public_key}{encryption}"
