"""``station restore --from FILE``: bring a backup's store and files into this (new) station's home.

The backup's store snapshot (encrypted under its own key, which stays in memory) is
unsealed into a folder in the home, upgraded by the usual migrations, and then merged
into this PC's store in one transaction: events (the station's own keep their outbox state, so what the old PC had not pushed yet goes up
with the new key), tracking tokens (receipts can be printed again), citizens and their
lookup keys, operators not added here yet, attachment records, serial counters (only
ever raised), and the chain head, clock and pull cursor where the backup is ahead.
Attachment files are sealed into this PC's files as the backup is read (no readable copy
is written); the cases are folded again from the merged events.
Merging twice changes nothing.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from station.attachments import blob_files
from station.attachments.blobs import BlobFiles, is_sha256
from station.ledger import HybridClock
from station.service import StationService
from station.store import StationStore, dbapi2

from .backup import STORE_NAME, open_backup

__all__ = ["BackupRestoreReport", "restore_from_backup"]

_PULL_CURSOR = "pull_cursor"
"""The sync client's cursor key (sync.client.CURSOR_META; the station package does not import sync)."""
_COPIED_TABLES = ("tokens", "citizens", "citizen_keys", "agents", "attachment_blobs", "attachment_links")
"""Rows kept as the backup has them unless this PC already has the same key (its own win)."""


@dataclass
class BackupRestoreReport:
    backup_station: str
    backup_created_at: str
    events: int = 0
    """Events the backup held."""
    new_events: int = 0
    pending: int = 0
    """Of the station's own events, those the old PC had not pushed yet (they go up at the next sync)."""
    attachment_files: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def restore_from_backup(service: StationService, path: Path, recovery_key: X25519PrivateKey) -> BackupRestoreReport:
    work = service.home.root / ".restore"
    files = blob_files(service)
    with open_backup(path, recovery_key, work, service.station.code, partial(_keep_file, files)) as backup:
        StationStore(work / STORE_NAME, backup.store_key).close()  # an older backup's store upgrades in place first
        report = BackupRestoreReport(backup.header["station"], backup.header["created_at"])
        report.attachment_files = backup.files
        _merge(service, work / STORE_NAME, backup.store_key, report)
    service.keep_wraps()  # the backup's operators open this PC's store with their PINs
    return report


def _keep_file(files: BlobFiles, sha256: str, content: IO[bytes]) -> bool:
    """An attachment file the backup has and this PC lacks, sealed under this PC's files key as it is read.

    Content-addressed: a file is kept under its name only when its bytes hash to it.
    """
    if not is_sha256(sha256) or files.has(sha256):
        return False
    return bool(files.put_stream(sha256, iter(lambda: content.read(1 << 20), b"")))


def _merge(service: StationService, copy: Path, key: bytes | None, report: BackupRestoreReport) -> None:
    store = service.store
    conn = store.conn
    # outside a transaction, as SQLite requires; an empty KEY is a plain file
    conn.execute("ATTACH DATABASE ? AS backup KEY ?", [str(copy), f"x'{key.hex()}'" if key else ""])
    try:
        with store.write():
            before = store.event_count()
            report.events = conn.execute("SELECT count(*) FROM backup.events").fetchone()[0]
            conn.execute("INSERT OR IGNORE INTO events (id, case_no, kind, hlc, at, station, actor, body, recorded_here) "
                         "SELECT id, case_no, kind, hlc, at, station, actor, body, recorded_here "
                         "FROM backup.events ORDER BY rowid")
            conn.execute("INSERT OR IGNORE INTO outbox (event_id, state, reason, attempts, updated_at) "
                         "SELECT event_id, state, reason, attempts, updated_at FROM backup.outbox")
            for table in _COPIED_TABLES:
                conn.execute(f"INSERT OR IGNORE INTO {table} SELECT * FROM backup.{table}")
            conn.execute("INSERT INTO daily_serials (day, last) SELECT day, last FROM backup.daily_serials WHERE true "
                         "ON CONFLICT(day) DO UPDATE SET last = max(last, excluded.last)")
            _merge_meta(service, conn)
            report.new_events = store.event_count() - before
            report.pending = conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]
            cases = [row[0] for row in conn.execute("SELECT DISTINCT case_no FROM backup.events")]
            service.project_cases(cases)
    finally:
        conn.execute("DETACH DATABASE backup")


def _merge_meta(service: StationService, conn: dbapi2.Connection) -> None:
    store = service.store
    backup = dict(conn.execute("SELECT key, value FROM backup.meta WHERE key IN ('chain_head', 'hlc', ?)", [_PULL_CURSOR]))
    if backup.get("chain_head") and not store.get_meta("chain_head"):
        store.set_meta("chain_head", backup["chain_head"])  # a new PC's first event continues the backup's chain
    if backup.get("hlc"):
        clock = HybridClock.restore(store.get_meta("hlc"))
        clock.observe(backup["hlc"], int(service.now().timestamp() * 1000))
        store.set_meta("hlc", clock.current())
    cursor = int(store.get_meta(_PULL_CURSOR, "0") or 0)
    store.set_meta(_PULL_CURSOR, str(max(cursor, int(backup.get(_PULL_CURSOR) or 0))))
