"""Revoked station keys as a station knows them: carried down with the city hall's publications.

The city hall sends its whole list of revocations with every publications page (it is
short: one entry per lost or stolen PC). A station keeps the latest list and refuses, on
import, any bundle signed by a revoked key at or after the time it was revoked, wherever
in the bundle tree it sits. Pure except for the two store helpers.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from station.store import StationStore

__all__ = ["RevokedKey", "REVOCATIONS_META", "bundle_time", "revoked_key_problem", "known_revocations",
           "save_revocations"]

REVOCATIONS_META = "revocations"


@dataclass(frozen=True)
class RevokedKey:
    station: str
    public_key: str
    revoked_at: float
    """Unix seconds."""
    reason: str = ""

    def refuses(self, created_at: str) -> bool:
        """A bundle signed at or after the revocation, or at a time that cannot be read.

        Bundle times are whole seconds: one written in the second of the revocation counts as after it.
        """
        made = bundle_time(created_at)
        return made is None or made >= math.floor(self.revoked_at)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RevokedKey:
        return cls(str(raw["station"]), str(raw["public_key"]), float(raw["revoked_at_unix"]), str(raw.get("reason", "")))


def bundle_time(created_at: str) -> float | None:
    """A bundle header's ``created_at`` as Unix seconds; None when it is not an ISO time with an offset."""
    try:
        moment = datetime.fromisoformat(created_at)
    except (TypeError, ValueError):
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


def revoked_key_problem(revoked: list[RevokedKey], station: str, public_key: str, created_at: str) -> str | None:
    """Why a bundle of ``station`` signed by ``public_key`` at ``created_at`` is refused; None when it is not."""
    for entry in revoked:
        if entry.station == station and entry.public_key == public_key and entry.refuses(created_at):
            when = datetime.fromtimestamp(entry.revoked_at).astimezone().isoformat(timespec="minutes")
            return (f"站点 {station} 的密钥已于 {when} 被市政务服务中心吊销（{entry.reason or '未说明原因'}），"
                    f"此后由它签名的数据包（写于 {created_at}）一律不导入")
    return None


def known_revocations(store: StationStore) -> list[RevokedKey]:
    raw = store.get_meta(REVOCATIONS_META)
    if not raw:
        return []
    return [RevokedKey.from_dict(entry) for entry in json.loads(raw)]


def save_revocations(store: StationStore, entries: Any) -> int:
    """Keep the city hall's latest list; entries that cannot be read are skipped. Returns how many are kept."""
    kept = []
    for entry in entries if isinstance(entries, list) else []:
        try:
            kept.append(RevokedKey.from_dict(entry))
        except (KeyError, TypeError, ValueError):
            continue
    store.set_meta(REVOCATIONS_META, json.dumps(
        [{"station": k.station, "public_key": k.public_key, "revoked_at_unix": k.revoked_at, "reason": k.reason}
         for k in kept], ensure_ascii=False))
    return len(kept)
