"""Named schema migrations for the station's SQLite file.

Each runs once, in its own transaction, and is recorded in ``_migrations``; an old
station's file upgrades in place when the station opens it. Append new migrations at
the end; never edit one that has shipped.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # sqlite_utils loads only when a migration has to run (the app starts faster)
    import sqlite_utils

__all__ = ["MIGRATIONS", "migrate", "applied_migrations"]

Migration = tuple[str, Callable[["sqlite_utils.Database"], None]]


def _run_statements(db: sqlite_utils.Database, script: str) -> None:
    """Run ``;;``-separated statements inside the caller's transaction.

    ``executescript`` would commit first, so the migration would not be atomic.
    """
    for statement in script.split(";;"):
        if statement.strip():
            db.execute(statement)


def _initial(db: sqlite_utils.Database) -> None:
    _run_statements(
        db,
        """
        CREATE TABLE events (
            id TEXT PRIMARY KEY,
            case_no TEXT NOT NULL,
            kind TEXT NOT NULL,
            hlc TEXT NOT NULL,
            at TEXT NOT NULL,
            station TEXT NOT NULL,
            actor TEXT NOT NULL,
            body TEXT NOT NULL,
            recorded_here INTEGER NOT NULL
        );;
        CREATE INDEX events_by_case ON events(case_no, hlc, id);;
        CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;;
        CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;;

        CREATE TABLE outbox (
            event_id TEXT PRIMARY KEY REFERENCES events(id),
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'pushed', 'rejected')),
            reason TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT
        );;
        CREATE INDEX outbox_by_state ON outbox(state, event_id);;

        CREATE TABLE cases (
            case_no TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            item_code TEXT NOT NULL,
            item_name TEXT NOT NULL,
            origin TEXT NOT NULL,
            handler TEXT NOT NULL,
            applicant_id TEXT NOT NULL,
            applicant_name TEXT NOT NULL,
            received_on TEXT NOT NULL,
            deadline TEXT,
            supplement_due TEXT,
            conflicts INTEGER NOT NULL DEFAULT 0,
            last_hlc TEXT NOT NULL,
            state TEXT NOT NULL
        );;
        CREATE INDEX cases_by_status ON cases(status, deadline);;
        CREATE INDEX cases_by_applicant ON cases(applicant_id);;
        CREATE INDEX cases_by_handler ON cases(handler, status);;

        CREATE TABLE citizens (
            id_number TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            phone TEXT,
            updated_at TEXT NOT NULL
        );;
        CREATE TABLE citizen_keys (
            key TEXT NOT NULL,
            id_number TEXT NOT NULL,
            PRIMARY KEY (key, id_number)
        ) WITHOUT ROWID;;

        CREATE TABLE agents (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            pin_hash TEXT NOT NULL,
            failed_attempts INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            created_at TEXT NOT NULL
        );;
        CREATE TABLE tokens (case_no TEXT PRIMARY KEY, token TEXT NOT NULL);;
        CREATE TABLE daily_serials (day TEXT PRIMARY KEY, last INTEGER NOT NULL);;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);;
        """
    )


def _case_filters(db: sqlite_utils.Database) -> None:
    """The app filters cases by item and by deferred-material due date."""
    db.execute("CREATE INDEX IF NOT EXISTS cases_by_item ON cases(item_code, status)")
    db.execute("CREATE INDEX IF NOT EXISTS cases_by_supplement_due ON cases(supplement_due) WHERE supplement_due IS NOT NULL")


def _attachments(db: sqlite_utils.Database) -> None:
    """Scans kept by SHA-256 (station/attachments): which files are here, which still go up."""
    _run_statements(
        db,
        """
        CREATE TABLE attachment_blobs (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            type TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('wire', 'original')),
            source TEXT NOT NULL CHECK (source IN ('local', 'fetched')),
            upload_state TEXT NOT NULL CHECK (upload_state IN ('pending', 'uploaded', 'not_needed')),
            present INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            uploaded_at TEXT,
            last_error TEXT
        );;
        CREATE INDEX attachment_blobs_by_upload ON attachment_blobs(upload_state, created_at);;
        CREATE TABLE attachment_links (
            event_id TEXT PRIMARY KEY REFERENCES events(id),
            case_no TEXT NOT NULL,
            material TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            original_sha256 TEXT NOT NULL,
            name TEXT NOT NULL
        );;
        CREATE INDEX attachment_links_by_sha ON attachment_links(sha256);;
        CREATE INDEX attachment_links_by_case ON attachment_links(case_no);;
        """
    )


def _board_indexes(db: sqlite_utils.Database) -> None:
    """The Today board asks per status for a station's cases in deadline order (one index each)."""
    _run_statements(
        db,
        """
        CREATE INDEX IF NOT EXISTS cases_by_handler_status ON cases(handler, status, deadline);;
        CREATE INDEX IF NOT EXISTS cases_by_origin_status ON cases(origin, status, deadline);;
        CREATE INDEX IF NOT EXISTS cases_by_status_supplement_due ON cases(status, supplement_due)
            WHERE supplement_due IS NOT NULL;;
        DROP INDEX IF EXISTS cases_by_handler;;
        """
    )


def _rare_name_keys(db: sqlite_utils.Database) -> None:
    """Search keys again for citizens whose names hold a rare character whose reading is now known."""
    from .names import RARE_READINGS, name_keys

    for char in RARE_READINGS:
        rows = list(db.query("SELECT id_number, name FROM citizens WHERE instr(name, ?) > 0", [char]))
        for row in rows:
            db.conn.executemany("INSERT OR IGNORE INTO citizen_keys (key, id_number) VALUES (?, ?)",
                                [(key, row["id_number"]) for key in name_keys(row["name"])])


def _event_identity(db: sqlite_utils.Database) -> None:
    """An event is (station, id): another station's event with an equal id is stored beside it.

    SQLite cannot change a key in place, so ``events`` is made anew (rowids kept: they are
    the order this station recorded and received events in); ``outbox`` and
    ``attachment_links`` lose a foreign key that named ``events(id)`` alone.
    """
    db.execute("PRAGMA defer_foreign_keys = ON")
    _run_statements(
        db,
        """
        CREATE TABLE events_new (
            id TEXT NOT NULL,
            case_no TEXT NOT NULL,
            kind TEXT NOT NULL,
            hlc TEXT NOT NULL,
            at TEXT NOT NULL,
            station TEXT NOT NULL,
            actor TEXT NOT NULL,
            body TEXT NOT NULL,
            recorded_here INTEGER NOT NULL,
            PRIMARY KEY (station, id)
        );;
        INSERT INTO events_new (rowid, id, case_no, kind, hlc, at, station, actor, body, recorded_here)
            SELECT rowid, id, case_no, kind, hlc, at, station, actor, body, recorded_here FROM events ORDER BY rowid;;
        CREATE TABLE outbox_new (
            event_id TEXT PRIMARY KEY,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'pushed', 'rejected')),
            reason TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT
        );;
        INSERT INTO outbox_new SELECT event_id, state, reason, attempts, updated_at FROM outbox;;
        CREATE TABLE attachment_links_new (
            event_id TEXT PRIMARY KEY,
            case_no TEXT NOT NULL,
            material TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            original_sha256 TEXT NOT NULL,
            name TEXT NOT NULL
        );;
        INSERT INTO attachment_links_new SELECT event_id, case_no, material, sha256, original_sha256, name
            FROM attachment_links;;
        DROP TABLE outbox;;
        DROP TABLE attachment_links;;
        DROP TRIGGER events_refuse_update;;
        DROP TRIGGER events_refuse_delete;;
        DROP TABLE events;;
        ALTER TABLE events_new RENAME TO events;;
        ALTER TABLE outbox_new RENAME TO outbox;;
        ALTER TABLE attachment_links_new RENAME TO attachment_links;;
        CREATE INDEX events_by_case ON events(case_no, hlc, id);;
        CREATE INDEX events_by_id ON events(id);;
        CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;;
        CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;;
        CREATE INDEX outbox_by_state ON outbox(state, event_id);;
        CREATE INDEX attachment_links_by_sha ON attachment_links(sha256);;
        CREATE INDEX attachment_links_by_case ON attachment_links(case_no);;
        """
    )


def _sms_notices(db: sqlite_utils.Database) -> None:
    """The city hall's texts to the applicant about this station's cases, as last fetched."""
    _run_statements(
        db,
        """
        CREATE TABLE IF NOT EXISTS sms_notices (
            case_no TEXT NOT NULL, step TEXT NOT NULL, status TEXT NOT NULL, at TEXT NOT NULL,
            detail TEXT NOT NULL, phone TEXT NOT NULL, PRIMARY KEY (case_no, step)
        );;
        """
    )


def _cases_by_received(db: sqlite_utils.Database) -> None:
    """The app's case list shows the newest first, a township's from every village in one order."""
    db.execute("CREATE INDEX IF NOT EXISTS cases_by_received ON cases(received_on, case_no)")


def _deadline_parties(db: sqlite_utils.Database) -> None:
    """The Today board counts a station's cases with a near deadline, decided or taken in here:
    with the handler and origin in the status and deadline index, that count reads the index
    alone, not a table row per case (about 11 of the board's 15 ms on 100,000 cases)."""
    _run_statements(
        db,
        """
        CREATE INDEX IF NOT EXISTS cases_by_status_deadline ON cases(status, deadline, handler, origin);;
        DROP INDEX IF EXISTS cases_by_status;;
        """
    )


MIGRATIONS: list[Migration] = [
    ("0001_initial", _initial),
    ("0002_case_filters", _case_filters),
    ("0003_attachments", _attachments),
    ("0004_board_indexes", _board_indexes),
    ("0005_rare_name_keys", _rare_name_keys),
    ("0006_event_identity", _event_identity),
    ("0007_sms_notices", _sms_notices),
    ("0008_cases_by_received", _cases_by_received),
    ("0009_deadline_parties", _deadline_parties),
]


def applied_migrations(db: sqlite_utils.Database) -> list[str]:
    if "_migrations" not in db.table_names():
        return []
    return [row["name"] for row in db.query("SELECT name FROM _migrations ORDER BY rowid")]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply what is missing; returns the names applied now."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = set(applied_migrations(db))
    applied = []
    for name, step in MIGRATIONS:
        if name in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            step(db)
            db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                       [name, datetime.now(timezone.utc).isoformat(timespec="seconds")])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied
