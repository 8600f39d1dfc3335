"""Revoked station keys: a lost or stolen PC's key stops speaking for its station.

``cityhall revoke CODE`` records the station's enrolled key here with the time. From
then on every request that key signs is refused (401, ``revoked``) whatever its
timestamp, and a bundle it signed after that time is refused at the hub and, once the
revocations reach them with the publications, at every station. What the key pushed
before stays. ``cityhall enroll CODE KEY`` then takes the replacement; a revoked key can
never be enrolled again.

A bundle's ``created_at`` is written by whoever holds the key, so a thief can backdate
one: the revocation time bounds what an honest station wrote, not what a thief claims.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Column, Engine, Float, String, Table, Text, insert, select

from sync.revoked import RevokedKey, bundle_time

from . import db

__all__ = ["revocations", "Revocation", "RevocationError", "revoke_station", "all_revocations",
           "revocations_of", "create_revocations_table", "bundle_time", "iso_time", "revocation_rows"]

revocations = Table(
    "revocations", db.metadata,
    Column("public_key", String(64), primary_key=True),
    Column("station", String(12), nullable=False, index=True),
    Column("revoked_at", Float, nullable=False),
    Column("reason", Text, nullable=False),
)
"""Every key ever revoked, with its station and the Unix time it stopped counting."""


def create_revocations_table(conn: Any) -> None:
    revocations.create(conn, checkfirst=True)


class RevocationError(ValueError):
    """The revocation cannot be made (station unknown, key already revoked)."""


def iso_time(unix_s: float) -> str:
    return datetime.fromtimestamp(unix_s, timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Revocation:
    station: str
    public_key: str
    revoked_at: float
    """Unix seconds."""
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"station": self.station, "public_key": self.public_key, "revoked_at": iso_time(self.revoked_at),
                "revoked_at_unix": self.revoked_at, "reason": self.reason}

    def refuses_bundle(self, created_at: str) -> bool:
        """A bundle this key signed at or after the revocation (or at a time that cannot be read)."""
        return RevokedKey(self.station, self.public_key, self.revoked_at).refuses(created_at)


def revoke_station(engine: Engine, code: str, reason: str, now: float | None = None) -> Revocation:
    """Revoke the key ``code`` has enrolled now; RevocationError when there is none or it is revoked."""
    when = time.time() if now is None else now
    with engine.begin() as conn:
        key = conn.execute(select(db.stations.c.public_key).where(db.stations.c.code == code)).scalar()
        if key is None:
            raise RevocationError(f"station {code} is not enrolled: there is no key to revoke")
        done = conn.execute(select(revocations).where(revocations.c.public_key == key)).first()
        if done is not None:
            raise RevocationError(f"the key of station {code} was already revoked at {iso_time(done.revoked_at)}; "
                                  f"enrol the replacement with `cityhall enroll {code} NEW_PUBLIC_KEY`")
        conn.execute(insert(revocations).values(public_key=key, station=code, revoked_at=when, reason=reason))
    return Revocation(code, key, when, reason)


def all_revocations(engine: Engine) -> list[Revocation]:
    query = select(revocations).order_by(revocations.c.revoked_at, revocations.c.station)
    with engine.connect() as conn:
        return [_revocation(row) for row in conn.execute(query)]


def revocations_of(engine: Engine, code: str) -> list[Revocation]:
    query = select(revocations).where(revocations.c.station == code).order_by(revocations.c.revoked_at)
    with engine.connect() as conn:
        return [_revocation(row) for row in conn.execute(query)]


def revocation_rows(engine: Engine, station_name: Any) -> list[dict[str, Any]]:
    """The staff page's list, newest first: station, when (China time), why, and whether a new key is enrolled."""
    china = timezone(timedelta(hours=8))
    with engine.connect() as conn:
        enrolled = dict(conn.execute(select(db.stations.c.code, db.stations.c.public_key)).all())
    rows = []
    for revocation in reversed(all_revocations(engine)):
        current = enrolled.get(revocation.station) == revocation.public_key
        rows.append({"station": revocation.station, "name": station_name(revocation.station),
                     "revoked_at": datetime.fromtimestamp(revocation.revoked_at, china).strftime("%Y-%m-%d %H:%M"),
                     "reason": revocation.reason or "未说明", "awaiting_new_key": current,
                     "key": revocation.public_key[:12] + "…"})
    return rows


def _revocation(row: Any) -> Revocation:
    return Revocation(row.station, row.public_key, float(row.revoked_at), row.reason)
