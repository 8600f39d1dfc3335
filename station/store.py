"""The station's local SQLite store.

One connection guarded by a lock does all the work (``BEGIN IMMEDIATE``,
``synchronous=FULL`` so a committed case survives a power cut, WAL so other processes
can read while it writes); its transactions are short, so the app's worker threads
wait microseconds for it, and reads inside a write see that write's own rows. Events are
append-only: triggers in the file refuse UPDATE and DELETE on them. ``cases`` is a
projection of the events, rebuilt per case by the ledger's fold.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlcipher3 import dbapi2

from station.ledger import CaseState, Event

from .migrations import MIGRATIONS, migrate
from .names import name_keys

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ["StationStore", "CaseRow", "CaseQuery", "connect_store", "dbapi2", "starting_with"]


def starting_with(prefix: str) -> tuple[str, str]:
    """``column >= low AND column < high`` bounds of the text that starts with ``prefix``.

    SQLite compares text by its UTF-8 bytes: ``prefix + "\\uffff"`` ends below every character past
    the Basic Multilingual Plane, so 曾𠮷 was not found by 曾. U+10FFFF is the largest code point
    (a noncharacter, never in a name or a number)."""
    return prefix, prefix + "\U0010ffff"


CaseRow = dict[str, Any]


class CaseQuery(NamedTuple):
    """Which rows of the ``cases`` projection to read; every condition given must hold."""

    statuses: tuple[str, ...] = ()
    handler: str | None = None
    case_no: str | None = None
    deadline_before: str | None = None
    """An ISO day: cases whose stored deadline is earlier."""
    no_deadline: bool = False
    origins: tuple[str, ...] = ()

    def sql(self) -> tuple[str, list[Any]]:
        """The ``WHERE`` text with ``?`` marks, and its parameters."""
        where: list[str] = ["1"]
        params: list[Any] = []
        for column, values in (("status", self.statuses), ("origin", self.origins)):
            if values:
                where.append(f"{column} IN ({', '.join('?' * len(values))})")
                params += values
        for column, value in (("handler", self.handler), ("case_no", self.case_no)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if self.deadline_before is not None:
            where.append("deadline < ?")
            params.append(self.deadline_before)
        if self.no_deadline:
            where.append("deadline IS NULL")
        return " AND ".join(where), params


ALL_CASES = CaseQuery()
OUTBOX_FLOOR = "outbox_answered_through"
"""Meta: the rowid through which every event recorded here has the hub's answer (no pending one at or before it)."""

_CASE_COLUMNS = ("case_no", "status", "item_code", "item_name", "origin", "handler", "applicant_id",
                 "applicant_name", "received_on", "deadline", "supplement_due", "conflicts", "last_hlc", "state")
_UPSERT_CASE = (
    f"INSERT INTO cases ({', '.join(_CASE_COLUMNS)}) VALUES ({', '.join(':' + c for c in _CASE_COLUMNS)}) "
    f"ON CONFLICT(case_no) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _CASE_COLUMNS[1:])}"
)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def connect_store(path: Path, key: bytes | None, read_only: bool = False) -> dbapi2.Connection:
    """A connection to a store file: SQLCipher keyed with the raw data key, or plain SQLite when ``key`` is None."""
    uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    conn = dbapi2.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=30)
    if key is not None:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def _migrations_missing(conn: dbapi2.Connection) -> bool:
    try:
        applied = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
    except dbapi2.OperationalError:  # a new file: no table yet
        return True
    return any(name not in applied for name, _ in MIGRATIONS)


class StationStore:
    def __init__(self, path: Path, key: bytes | None = None) -> None:
        """``key``: the station's data key (the file is SQLCipher); None for a plain SQLite file."""
        self.path = path
        self._lock = threading.RLock()
        self.conn = connect_store(path, key)
        self._db: sqlite_utils.Database | None = None
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("PRAGMA foreign_keys = ON")
        with self._lock:
            if _migrations_missing(self.conn):
                migrate(self.db)

    @property
    def db(self) -> sqlite_utils.Database:
        """The connection wrapped by sqlite-utils, made on first use (importing it costs ~50 ms)."""
        with self._lock:
            if self._db is None:
                import sqlite_utils

                self._db = sqlite_utils.Database(self.conn)
            return self._db

    def close(self) -> None:
        # a sync thread cut short at quit may be inside a statement: let it finish (the lock is
        # never held across network I/O), but never hang the quit on it
        if self._lock.acquire(timeout=1.0):
            try:
                self.conn.close()
            finally:
                self._lock.release()
            return
        self.conn.close()

    # -- transactions -------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction (a savepoint when nested)."""
        with self._lock:
            if self.conn.in_transaction:
                with self.db.atomic():
                    yield self.db
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def _query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        with self._lock:
            cursor = self.conn.execute(sql, params)
            columns = [column[0] for column in cursor.description]
            return [dict(zip(columns, row, strict=True)) for row in cursor]

    # -- meta ---------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", [key])
        return rows[0]["value"] if rows else default

    def set_meta(self, key: str, value: str) -> None:
        with self.write() as db:
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])

    # -- the city hall's texts to applicants ----------------------------------------

    def save_sms_notices(self, notices: list[dict[str, Any]]) -> None:
        with self.write() as db:
            db.conn.executemany(
                "INSERT INTO sms_notices (case_no, step, status, at, detail, phone) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(case_no, step) DO UPDATE SET status = excluded.status, at = excluded.at, "
                "detail = excluded.detail, phone = excluded.phone",
                [(n["case_no"], n["step"], n["status"], n["at"], n["detail"], n["phone"]) for n in notices])

    def sms_notices(self, case_no: str) -> list[dict[str, Any]]:
        return self._query("SELECT step, status, at, detail, phone FROM sms_notices WHERE case_no = ? "
                           "ORDER BY at, rowid", [case_no])

    # -- events -------------------------------------------------------------------

    def insert_event(self, event: Event, recorded_here: bool) -> bool:
        """Add an event (inside the caller's transaction); False when already present."""
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO events (id, case_no, kind, hlc, at, station, actor, body, recorded_here) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [event.id, event.case, event.kind, event.hlc, event.at, event.station, event.actor,
             event.to_json(), int(recorded_here)],
        )
        if cursor.rowcount and recorded_here:
            self.conn.execute("INSERT INTO outbox (event_id, updated_at) VALUES (?, ?)", [event.id, _now()])
        return bool(cursor.rowcount)

    def case_events(self, case_no: str) -> list[Event]:
        rows = self._query("SELECT body FROM events WHERE case_no = ? ORDER BY hlc, id", [case_no])
        return [Event.from_stored(json.loads(r["body"])) for r in rows]

    def event_count(self) -> int:
        return int(self._query("SELECT count(*) AS n FROM events")[0]["n"])

    def has_event(self, station: str, event_id: str) -> bool:
        return bool(self._query("SELECT 1 FROM events WHERE station = ? AND id = ?", [station, event_id]))

    def last_local_event(self) -> Event | None:
        rows = self._query("SELECT body FROM events WHERE recorded_here = 1 ORDER BY rowid DESC LIMIT 1")
        return Event.from_stored(json.loads(rows[0]["body"])) if rows else None

    # -- outbox -------------------------------------------------------------------

    def pending_events(self, limit: int) -> list[Event]:
        """The oldest ``limit`` events still to push, in the order they were recorded (read in one go)."""
        return self.pending_after(0, limit)[0]

    def pending_after(self, cursor: int, limit: int) -> tuple[list[Event], int]:
        """Like ``pending_events``, recorded after ``cursor``; and the cursor after them."""
        texts, cursor = self.pending_texts_after(cursor, limit)
        return [Event.from_stored_text(text) for text in texts], cursor  # the stored text is the canonical JSON

    def pending_texts_after(self, cursor: int, limit: int) -> tuple[list[str], int]:
        """The canonical JSON of ``limit`` pending events recorded after ``cursor`` (0: from the
        first pending one), oldest first, and the cursor after them. A push reads its next batch
        while the one before is still unanswered (still pending).

        The events are walked in rowid order from the cursor, so a batch costs its own rows, not
        a scan and sort of the whole backlog."""
        with self._lock:
            start = cursor or self._before_first_pending()
            rows = self.conn.execute(
                "SELECT e.rowid, e.body FROM events e CROSS JOIN outbox o ON o.event_id = e.id "
                "WHERE e.rowid > ? AND e.recorded_here = 1 AND o.state = 'pending' ORDER BY e.rowid LIMIT ?",
                [start, limit]).fetchall()
        return [body for _, body in rows], rows[-1][0] if rows else cursor

    def _before_first_pending(self) -> int:
        """A rowid at or after which every pending event recorded here lies: where the last push
        left off (``OUTBOX_FLOOR``), 0 while nothing was ever answered, else the smallest (a walk
        over every pending event, what a station of an earlier release does once)."""
        floor = self.conn.execute("SELECT value FROM meta WHERE key = ?", [OUTBOX_FLOOR]).fetchone()
        if floor is not None:
            return int(floor[0])
        if self.conn.execute("SELECT 1 FROM outbox WHERE state IN ('pushed', 'rejected') LIMIT 1").fetchone() is None:
            return 0  # nothing answered yet: every event recorded here is still pending
        first = self.conn.execute(
            "SELECT min(e.rowid) FROM outbox o JOIN events e ON e.id = o.event_id AND e.recorded_here = 1 "
            "WHERE o.state = 'pending'").fetchone()[0]
        return (first or 1) - 1

    def mark_outbox(self, event_id: str, state: str, reason: str | None = None) -> None:
        self.mark_outbox_many([(event_id, state, reason)])

    def mark_outbox_many(self, marks: list[tuple[str, str, str | None]], answered_through: int | None = None) -> None:
        """Record the hub's answers (event id, ``pushed`` or ``rejected``, reason) in one transaction,
        one statement per state and reason. ``answered_through``: the rowid of the last event of
        the batches read in order from the first pending one, all now answered: the next push
        starts after it."""
        ids: dict[tuple[str, str | None], list[str]] = {}
        for event_id, state, reason in marks:
            ids.setdefault((state, reason), []).append(event_id)
        now = _now()
        with self.write():
            for (state, reason), group in ids.items():
                self.conn.execute("UPDATE outbox SET state = ?, reason = ?, attempts = attempts + 1, updated_at = ? "
                                  "WHERE event_id IN (SELECT value FROM json_each(?))",
                                  [state, reason, now, json.dumps(group)])
            if answered_through is not None:
                self.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                                  "value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
                                  [OUTBOX_FLOOR, str(answered_through)])

    def outbox_counts(self) -> dict[str, int]:
        counts = {"pending": 0, "pushed": 0, "rejected": 0}
        for row in self._query("SELECT state, count(*) AS n FROM outbox GROUP BY state"):
            counts[row["state"]] = row["n"]
        return counts

    def rejected_events(self) -> list[dict[str, Any]]:
        return self._query(
            "SELECT e.id, e.case_no, e.kind, e.at, o.reason FROM outbox o "
            "JOIN events e ON e.id = o.event_id AND e.recorded_here = 1 "
            "WHERE o.state = 'rejected' ORDER BY e.rowid")

    # -- cases --------------------------------------------------------------------

    def save_case(self, state: CaseState, deadline: str | None, supplement_due: str | None) -> None:
        """Upsert the projection row of a case (inside the caller's transaction)."""
        row = {
            "case_no": state.case_no, "status": state.status, "item_code": state.item.get("code", ""),
            "item_name": state.item.get("name", ""), "origin": state.origin, "handler": state.handler,
            "applicant_id": state.applicant.get("id_number", ""), "applicant_name": state.applicant.get("name", ""),
            "received_on": state.received_on, "deadline": deadline, "supplement_due": supplement_due,
            "conflicts": len(state.conflicts), "last_hlc": state.last_hlc,
            # the state holds only JSON values, so vars() is enough: asdict() would deep-copy it all
            "state": json.dumps(vars(state), ensure_ascii=False, separators=(",", ":")),
        }
        self.conn.execute(_UPSERT_CASE, row)

    def case_state(self, case_no: str) -> CaseState | None:
        rows = self._query("SELECT state FROM cases WHERE case_no = ?", [case_no])
        return CaseState(**json.loads(rows[0]["state"])) if rows else None

    def case_rows(self, query: CaseQuery = ALL_CASES, limit: int = 500, offset: int = 0) -> list[CaseRow]:
        return self._case_rows(query, "", limit, offset)

    def listed_cases(self, query: CaseQuery = ALL_CASES, limit: int = 500,
                     offset: int = 0) -> list[tuple[CaseRow, CaseState]]:
        """``case_rows`` with each case's folded state, read in the same query (a list shows both)."""
        rows = self._case_rows(query, ", state", limit, offset)
        return [(row, CaseState(**json.loads(row.pop("state")))) for row in rows]

    def _case_rows(self, query: CaseQuery, more_columns: str, limit: int, offset: int) -> list[CaseRow]:
        where, params = query.sql()
        return self._query(
            "SELECT case_no, status, item_code, item_name, origin, handler, applicant_id, applicant_name, "
            f"received_on, deadline, supplement_due, conflicts{more_columns} FROM cases WHERE {where} "
            "ORDER BY received_on DESC, case_no DESC LIMIT ? OFFSET ?", [*params, limit, offset])

    def case_count(self, query: CaseQuery = ALL_CASES) -> int:
        where, params = query.sql()
        return int(self._query(f"SELECT count(*) AS n FROM cases WHERE {where}", params)[0]["n"])

    def case_states(self, query: CaseQuery = ALL_CASES) -> list[CaseState]:
        """The folded state of every case matching ``query``."""
        return [state for _, state in self.listed_cases(query, limit=2**31 - 1)]

    def events_of_origins(self, origins: tuple[str, ...]) -> list[Event]:
        """Every event held (pulled or recorded here) on the cases filed at ``origins``, in arrival order."""
        if not origins:
            return []
        marks = ", ".join("?" * len(origins))
        rows = self._query(f"SELECT e.body FROM events e JOIN cases c ON c.case_no = e.case_no "
                           f"WHERE c.origin IN ({marks}) ORDER BY e.rowid", list(origins))
        return [Event.from_stored(json.loads(row["body"])) for row in rows]

    def rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """A read of the station's own tables by the modules that keep them (attachments)."""
        return self._query(sql, params)

    def next_serial(self, day: str) -> int:
        """The next daily serial (inside the caller's transaction)."""
        self.conn.execute("INSERT INTO daily_serials (day, last) VALUES (?, 1) "
                        "ON CONFLICT(day) DO UPDATE SET last = last + 1", [day])
        return int(self._query("SELECT last FROM daily_serials WHERE day = ?", [day])[0]["last"])

    def save_token(self, case_no: str, token: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO tokens (case_no, token) VALUES (?, ?)", [case_no, token])

    def token(self, case_no: str) -> str | None:
        rows = self._query("SELECT token FROM tokens WHERE case_no = ?", [case_no])
        return rows[0]["token"] if rows else None

    # -- citizens -----------------------------------------------------------------

    def remember_citizen(self, id_number: str, name: str, phone: str | None) -> None:
        """Register or update a citizen (inside the caller's transaction)."""
        old = self._query("SELECT name, phone FROM citizens WHERE id_number = ?", [id_number])
        self.conn.execute(
            "INSERT INTO citizens (id_number, name, phone, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id_number) DO UPDATE SET name = excluded.name, "
            "phone = coalesce(excluded.phone, citizens.phone), updated_at = excluded.updated_at",
            [id_number, name, phone, _now()])
        if old and old[0]["name"] == name:
            return
        self.conn.execute("DELETE FROM citizen_keys WHERE id_number = ?", [id_number])
        self.conn.executemany("INSERT OR IGNORE INTO citizen_keys (key, id_number) VALUES (?, ?)",
                                 [(key, id_number) for key in name_keys(name)])

    def citizen(self, id_number: str) -> dict[str, Any] | None:
        rows = self._query("SELECT id_number, name, phone FROM citizens WHERE id_number = ?", [id_number])
        return rows[0] if rows else None

    def search_citizens(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """By ID-number prefix, or by name / full pinyin / initials prefix."""
        text = query.strip()
        if not text:
            return []
        if text[0].isdigit():
            return self._query(
                "SELECT id_number, name, phone FROM citizens WHERE id_number >= ? AND id_number < ? "
                "ORDER BY id_number LIMIT ?", [*starting_with(text.upper()), limit])
        key = text.lower().replace(" ", "")
        return self._query(
            "SELECT c.id_number, c.name, c.phone FROM citizens c WHERE c.id_number IN ("
            " SELECT id_number FROM citizen_keys WHERE key >= ? AND key < ? LIMIT ?) ORDER BY c.name",
            [*starting_with(key), limit * 4])[:limit]

    # -- operators ----------------------------------------------------------------

    def add_agent(self, agent_id: str, name: str, role: str, pin_hash: str) -> None:
        with self.write() as db:
            db.execute("INSERT INTO agents (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT(id) DO UPDATE SET name = excluded.name, role = excluded.role, "
                       "pin_hash = excluded.pin_hash, failed_attempts = 0, locked_until = NULL",
                       [agent_id, name, role, pin_hash, _now()])

    def agent(self, agent_id: str) -> dict[str, Any] | None:
        # "a01" finds A01: the exact ID first, else one that differs only in letter case
        rows = self._query("SELECT * FROM agents WHERE id = ? COLLATE NOCASE ORDER BY id = ? DESC LIMIT 1",
                           [agent_id, agent_id])
        return rows[0] if rows else None

    def pin_hashes(self) -> dict[str, str]:
        """Every operator's stored PIN hash, by ID (what their wraps of the data key are made from)."""
        return {row["id"]: row["pin_hash"] for row in self._query("SELECT id, pin_hash FROM agents")}

    def agents(self) -> list[dict[str, Any]]:
        return self._query("SELECT id, name, role FROM agents ORDER BY id")

    def record_sign_in(self, agent_id: str, failed_attempts: int, locked_until: str | None) -> None:
        with self.write() as db:
            db.execute("UPDATE agents SET failed_attempts = ?, locked_until = ? WHERE id = ?",
                       [failed_attempts, locked_until, agent_id])
