"""The attachment tables in the station's SQLite file (migration ``0003_attachments``).

Writes run inside the caller's ``store.write()`` transaction unless they say otherwise.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from station.store import StationStore

__all__ = ["BlobRow", "add_blob", "add_link", "usage_rows", "pending_uploads", "mark_uploaded",
           "mark_upload_error", "evictable_blobs", "mark_absent", "blob_row", "waiting_for_events", "files_to_carry",
           "events_of_files"]

BlobRow = dict[str, Any]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _rows(store: StationStore, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    return store.rows(sql, params)


def add_blob(store: StationStore, sha256: str, size: int, media_type: str, role: str, source: str,
             upload_state: str | None = None) -> None:
    """Record a file now on disk; a file seen before becomes present again.

    ``upload_state`` defaults from where the file came from; a file carried in on a
    bundle for relaying says ``pending``: this station takes it up for the origin.
    """
    if upload_state is None:
        upload_state = "pending" if (role, source) == ("wire", "local") else "not_needed"
        if role == "wire" and source == "fetched":
            upload_state = "uploaded"
    store.db.execute(
        "INSERT INTO attachment_blobs (sha256, size, type, role, source, upload_state, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sha256) DO UPDATE SET present = 1, "
        "role = CASE WHEN excluded.role = 'wire' THEN 'wire' ELSE attachment_blobs.role END, "
        "upload_state = CASE WHEN attachment_blobs.upload_state = 'not_needed' AND excluded.upload_state = 'pending' "
        "THEN 'pending' ELSE attachment_blobs.upload_state END",
        [sha256, size, media_type, role, source, upload_state, _now()])


def add_link(store: StationStore, event_id: str, case_no: str, material: str, sha256: str,
             original_sha256: str, name: str) -> None:
    store.db.execute(
        "INSERT OR IGNORE INTO attachment_links (event_id, case_no, material, sha256, original_sha256, name) "
        "VALUES (?, ?, ?, ?, ?, ?)", [event_id, case_no, material, sha256, original_sha256, name])


def blob_row(store: StationStore, sha256: str) -> BlobRow | None:
    rows = _rows(store, "SELECT * FROM attachment_blobs WHERE sha256 = ?", [sha256])
    return rows[0] if rows else None


def usage_rows(store: StationStore) -> list[dict[str, Any]]:
    return _rows(store, "SELECT role, source, upload_state, count(*) AS files, coalesce(sum(size), 0) AS bytes "
                        "FROM attachment_blobs WHERE present = 1 GROUP BY role, source, upload_state")


_EVENTS_WENT_UP = (
    "(EXISTS (SELECT 1 FROM attachment_links l JOIN outbox o ON o.event_id = l.event_id "
    "WHERE l.sha256 = b.sha256 AND o.state = 'pushed') OR (:carried_relayed AND b.source = 'fetched'))")
"""A file's events are at the city hall: its own ``attached`` event was answered, or it is a
file carried in on a bundle (``source = 'fetched'``) and the carried bundles have been relayed.
Takes the named parameter ``:carried_relayed``."""


def pending_uploads(store: StationStore, limit: int = 1000, carried_relayed: bool = True) -> list[BlobRow]:
    """Wire copies still to upload whose ``attached`` event the city hall already has."""
    return _rows(store, (
        "SELECT b.sha256, b.size, b.type FROM attachment_blobs b WHERE b.upload_state = 'pending' "
        f"AND b.present = 1 AND {_EVENTS_WENT_UP} ORDER BY b.created_at, b.sha256 LIMIT :limit"),
        {"carried_relayed": carried_relayed, "limit": limit})


def waiting_for_events(store: StationStore, carried_relayed: bool = True) -> int:
    """Files held back because their case's events have not reached the city hall yet."""
    rows = _rows(store, "SELECT count(*) AS n FROM attachment_blobs b WHERE b.upload_state = 'pending' "
                        f"AND NOT {_EVENTS_WENT_UP}", {"carried_relayed": carried_relayed})
    return int(rows[0]["n"])


def files_to_carry(store: StationStore) -> list[BlobRow]:
    """Every wire copy here that has not reached the city hall, with a case and name to show for it."""
    return _rows(store, (
        "SELECT b.sha256, b.size, b.type, min(l.case_no) AS case_no, min(l.name) AS name "
        "FROM attachment_blobs b LEFT JOIN attachment_links l ON l.sha256 = b.sha256 "
        "WHERE b.upload_state = 'pending' AND b.present = 1 AND b.role = 'wire' "
        "GROUP BY b.sha256 ORDER BY b.created_at, b.sha256"))


def events_of_files(store: StationStore, sha256s: list[str]) -> list[str]:
    """The events behind files about to travel, as JSON bodies in the order recorded here.

    Each file's ``attached`` events, and every event this station recorded on the files'
    cases (never one the city hall refused): the station a stick reaches can then open
    the case and keep its files even when these events went up over the link long ago.
    """
    return [row["body"] for row in _rows(store, (
        "WITH carried(sha256) AS (SELECT value FROM json_each(:sha256s)) "
        "SELECT e.body FROM events e WHERE (e.id IN (SELECT event_id FROM attachment_links "
        "WHERE sha256 IN carried) OR (e.recorded_here = 1 AND e.case_no IN (SELECT case_no FROM attachment_links "
        "WHERE sha256 IN carried))) AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = e.id "
        "AND o.state = 'rejected') ORDER BY e.rowid"), {"sha256s": json.dumps(sha256s)})]


def mark_uploaded(store: StationStore, sha256: str) -> None:
    with store.write() as db:
        db.execute("UPDATE attachment_blobs SET upload_state = 'uploaded', uploaded_at = ?, last_error = NULL "
                   "WHERE sha256 = ?", [_now(), sha256])


def mark_upload_error(store: StationStore, sha256: str, reason: str) -> None:
    with store.write() as db:
        db.execute("UPDATE attachment_blobs SET last_error = ? WHERE sha256 = ?", [reason, sha256])


def evictable_blobs(store: StationStore) -> list[BlobRow]:
    """Files that may go when space runs out: copies the city hall holds, oldest first.

    Never an original (it exists nowhere else) and never a file not yet uploaded.
    """
    return _rows(store, (
        "SELECT sha256, size FROM attachment_blobs WHERE present = 1 AND role = 'wire' "
        "AND upload_state = 'uploaded' AND (source = 'fetched' OR sha256 NOT IN "
        "(SELECT original_sha256 FROM attachment_links)) ORDER BY source = 'local', created_at"))


def mark_absent(store: StationStore, sha256: str) -> None:
    store.db.execute("UPDATE attachment_blobs SET present = 0 WHERE sha256 = ?", [sha256])
