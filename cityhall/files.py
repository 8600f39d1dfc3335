"""Attachment files at the city hall: resumable chunked uploads, hash-verified, seen only by
stations that may see a case referring to them (never on the citizen's page).

``PUT /api/v1/files/{sha256}`` with ``Content-Range: bytes START-END/TOTAL`` appends one
signed chunk at START (which must equal what the hub already holds, else 409 with
``received``); ``GET /api/v1/files/{sha256}/status`` says how much has arrived, so a
cut upload resumes where it stopped; ``GET /api/v1/files/{sha256}`` (``Range: bytes=N-``
resumes) serves a finished file. A file becomes visible only once all its bytes are
there and their SHA-256 equals its name. The routes are `cityhall/routes/files.py`; this is what they ask.

A partial upload that no chunk has touched for ``stale_after_s`` (48 hours unless
``CITYHALL_STALE_UPLOAD_HOURS`` says otherwise) was abandoned: at start-up and then at
most once an hour the hub deletes it (its staged bytes and its row). A station that
comes back later asks ``/status``, hears 0 bytes and sends the file again from the start.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger, Column, Engine, Float, Integer, MetaData, String, Table, and_, delete, insert, select, update,
)

from . import db
from .errors import HubError
from .filestore import FileStorage, storage_for
from .settings import STALE_UPLOAD_ENV, STALE_UPLOAD_S, HubSettings

__all__ = ["HubFiles", "open_hub_files", "MAX_CHUNK_BYTES", "MAX_FILE_BYTES", "files_table", "SHA256_NAME",
           "STALE_UPLOAD_S", "STALE_UPLOAD_ENV"]

MAX_CHUNK_BYTES = 8 * 1024 * 1024
MAX_FILE_BYTES = 200 * 1024 * 1024
_CLEAN_EVERY_S = 3600.0
SHA256_NAME = re.compile(r"[0-9a-f]{64}")
"""How a file is named: its SHA-256 in lower-case hex."""
_STAGED = re.compile(r"[0-9a-f]{64}(\.[0-9]{12})?")

files_metadata = MetaData()
files_table = Table(
    "files", files_metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("station", String(12), nullable=False),
    Column("started_at", Float, nullable=False),
    Column("stored_at", Float, nullable=False),
)
"""Files complete and verified: the only ones anyone may download."""
uploads_table = Table(
    "file_station_uploads", files_metadata,
    Column("sha256", String(64), primary_key=True),
    Column("station", String(12), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("started_at", Float, nullable=False),
)
"""Uploads under way, one per station and file: each station proves it holds the bytes on its own."""
holders_table = Table(
    "file_holders", files_metadata,
    Column("sha256", String(64), primary_key=True),
    Column("station", String(12), primary_key=True),
)
"""Stations that sent every byte of a file and saw them hash to its name: who really has it."""
attachments_table = Table(
    "file_attachments", files_metadata,
    Column("sha256", String(64), primary_key=True),
    Column("case_no", String(25), primary_key=True),
    Column("station", String(12), primary_key=True),
)
"""Which station's ``attached`` event ties a file to which case, indexed from the event log."""
ref_cursor_table = Table(
    "file_ref_cursor", files_metadata,
    Column("id", Integer, primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
)

def _first_tables(conn: Any) -> None:
    """The tables as the first release made them (the later ones are added by their own migration)."""
    conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS file_uploads (sha256 VARCHAR(64) PRIMARY KEY, "
                         "size BIGINT NOT NULL, station VARCHAR(12) NOT NULL, started_at FLOAT NOT NULL)")
    conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS file_refs (sha256 VARCHAR(64) NOT NULL, "
                         "case_no VARCHAR(25) NOT NULL, PRIMARY KEY (sha256, case_no))")
    files_metadata.create_all(conn, tables=[files_table, ref_cursor_table])


def _holders(conn: Any) -> None:
    """Who uploaded each file, and which station attached it to which case.

    A file reached the hub's download list before this only by being named in an
    ``attached`` event, whoever sent it: now the first uploader of each stored file is its
    holder, uploads under way become that station's, and the attachment index is rebuilt
    from the event log with each event's station.
    """
    files_metadata.create_all(conn, tables=[uploads_table, holders_table, attachments_table])
    conn.execute(insert(holders_table).from_select(["sha256", "station"], select(files_table.c.sha256, files_table.c.station)))
    conn.exec_driver_sql("INSERT INTO file_station_uploads (sha256, station, size, started_at) "
                         "SELECT sha256, station, size, started_at FROM file_uploads")
    conn.exec_driver_sql("DROP TABLE file_uploads")
    conn.exec_driver_sql("DROP TABLE file_refs")
    conn.execute(delete(ref_cursor_table))


class HubFiles:
    def __init__(self, engine: Engine, storage: FileStorage, staging: Path,
                 stale_after_s: float = STALE_UPLOAD_S) -> None:
        self.engine, self.storage, self.staging = engine, storage, staging
        self.stale_after_s = stale_after_s
        self._last_clean = float("-inf")
        self.staging.mkdir(parents=True, exist_ok=True)
        self._refs_lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()  # the tables are made by db.migrate, like every hub table
        self._adopt_shared_staging()

    # -- who may touch a file ---------------------------------------------------------
    #
    # A file is named by its hash, and a hash is no secret: it travels in every ``attached``
    # event. So naming a file in an event of one's own proves nothing. A file counts for a
    # case only through an ``attached`` event whose station really holds the bytes (it
    # uploaded them all and they hashed right), or when a station that may see the case
    # holds them (the township that carried its village's stick and uploaded the scans).

    def refresh_refs(self) -> None:
        """Index the ``attached`` events that arrived since the last look, with the station that recorded each."""
        with self._refs_lock, self.engine.begin() as conn:
            last = conn.execute(select(ref_cursor_table.c.last_seq).where(ref_cursor_table.c.id == 1)).scalar()
            rows = conn.execute(select(db.events.c.seq, db.events.c.case_no, db.events.c.station, db.events.c.body)
                                .where(db.events.c.seq > (last or 0), db.events.c.kind == "attached")
                                .order_by(db.events.c.seq)).all()
            top = conn.execute(select(db.events.c.seq).order_by(db.events.c.seq.desc()).limit(1)).scalar() or 0
            refs = {(_attached_sha256(r.body), r.case_no, r.station) for r in rows}
            known = {(r.sha256, r.case_no, r.station) for r in conn.execute(
                select(attachments_table).where(attachments_table.c.sha256.in_({s for s, _, _ in refs})))}
            new = [{"sha256": s, "case_no": c, "station": st} for s, c, st in refs - known if SHA256_NAME.fullmatch(s)]
            if new:
                conn.execute(insert(attachments_table), new)
            self._save_cursor(conn, last, top)

    @staticmethod
    def _save_cursor(conn: Any, last: int | None, top: int) -> None:
        if last is None:
            conn.execute(insert(ref_cursor_table).values(id=1, last_seq=top))
        elif top > last:
            conn.execute(update(ref_cursor_table).where(ref_cursor_table.c.id == 1).values(last_seq=top))

    def may_upload(self, station: str, sha256: str) -> bool:
        """A case this station may see names the file: it may send its bytes (and ask how many arrived)."""
        self.refresh_refs()
        with self.engine.connect() as conn:
            return bool(self._cases_naming(conn, station, sha256))

    def may_see(self, station: str, sha256: str) -> bool:
        """A case this station may see holds the file through an attachment that counts (see above)."""
        self.refresh_refs()
        with self.engine.connect() as conn:
            holders = self._holders(conn, sha256)
            return bool(holders) and any(self._counts(conn, case_no, recorder, holders)
                                         for case_no, recorder in self._cases_naming(conn, station, sha256))

    def needs_proof(self, station: str, sha256: str) -> bool:
        """Would this station's own upload of the file make a case it sees hold it? Then it must send the bytes."""
        self.refresh_refs()
        with self.engine.connect() as conn:
            holders = self._holders(conn, sha256)
            if station in holders:
                return False
            return not all(self._counts(conn, case_no, recorder, holders)
                           for case_no, recorder in self._cases_naming(conn, station, sha256))

    @staticmethod
    def _cases_naming(conn: Any, station: str, sha256: str) -> list[tuple[str, str]]:
        """(case, recording station) of every attachment of the file on a case ``station`` may see."""
        query = (select(attachments_table.c.case_no, attachments_table.c.station)
                 .join(db.cases, db.cases.c.case_no == attachments_table.c.case_no)
                 .where(attachments_table.c.sha256 == sha256, db.may_see(station)))
        return [(r.case_no, r.station) for r in conn.execute(query)]

    @staticmethod
    def _holders(conn: Any, sha256: str) -> set[str]:
        return set(conn.execute(select(holders_table.c.station).where(holders_table.c.sha256 == sha256)).scalars())

    @staticmethod
    def _counts(conn: Any, case_no: str, recorder: str, holders: set[str]) -> bool:
        if recorder in holders:
            return True
        seen_by_a_holder = select(db.cases.c.case_no).where(db.cases.c.case_no == case_no, db.may_see(holders))
        return conn.execute(seen_by_a_holder).first() is not None

    # -- uploads ------------------------------------------------------------------------

    def _lock_for(self, sha256: str, station: str = "") -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(f"{sha256}.{station}" if station else sha256, threading.Lock())

    def staged(self, sha256: str, station: str) -> Path:
        """Each station's bytes of a file are staged apart: nobody can add to, or finish, another's upload."""
        return self.staging / f"{sha256}.{station}"

    def status(self, sha256: str, station: str) -> dict[str, Any]:
        size = self.stored_size(sha256)
        if size is not None and not self.needs_proof(station, sha256):
            return {"sha256": sha256, "received": size, "size": size, "complete": True}
        staged = self.staged(sha256, station)
        with self.engine.connect() as conn:
            total = conn.execute(select(uploads_table.c.size).where(
                uploads_table.c.sha256 == sha256, uploads_table.c.station == station)).scalar()
        received = staged.stat().st_size if staged.is_file() else 0
        return {"sha256": sha256, "received": received, "size": total, "complete": False}

    def stored_size(self, sha256: str) -> int | None:
        with self.engine.connect() as conn:
            size = conn.execute(select(files_table.c.size).where(files_table.c.sha256 == sha256)).scalar()
        return None if size is None else int(size)

    def receive(self, station: str, sha256: str, start: int, total: int, chunk: bytes, now: float) -> dict[str, Any]:
        if now - self._last_clean >= _CLEAN_EVERY_S:
            self.clean_stale_uploads(now)
        with self._lock_for(sha256, station):
            stored = self.stored_size(sha256)
            if stored is not None and not self.needs_proof(station, sha256):
                return self.status(sha256, station)
            if stored is not None and stored != total:
                raise HubError(400, "size_mismatch", f"this file is {stored} bytes, not {total}")
            self._begin_upload(station, sha256, total, now)
            staged = self.staged(sha256, station)
            received = staged.stat().st_size if staged.is_file() else 0
            if start != received:
                raise HubError(409, "offset_mismatch", f"the hub holds {received} bytes; send from there",
                               received=received)
            if start + len(chunk) > total:
                raise HubError(400, "beyond_size", f"chunk ends past the declared size {total}")
            _append_durably(staged, chunk)
            if received + len(chunk) == total:
                self._finish(station, sha256, total, now)
            return self.status(sha256, station)

    def _begin_upload(self, station: str, sha256: str, total: int, now: float) -> None:
        mine = and_(uploads_table.c.sha256 == sha256, uploads_table.c.station == station)
        with self.engine.begin() as conn:
            declared = conn.execute(select(uploads_table.c.size).where(mine)).scalar()
            if declared is None:
                conn.execute(insert(uploads_table).values(sha256=sha256, size=total, station=station, started_at=now))
                self.staged(sha256, station).unlink(missing_ok=True)
            elif declared != total:
                raise HubError(400, "size_mismatch", f"this file was declared as {declared} bytes, not {total}")

    def _finish(self, station: str, sha256: str, total: int, now: float) -> None:
        staged = self.staged(sha256, station)
        mine = and_(uploads_table.c.sha256 == sha256, uploads_table.c.station == station)
        if _file_sha256(staged) != sha256:  # forgotten whole, the size it declared too: the next try starts afresh
            staged.unlink(missing_ok=True)
            with self.engine.begin() as conn:
                conn.execute(delete(uploads_table).where(mine))
            raise HubError(422, "hash_mismatch", "the bytes received do not hash to the file's name; "
                                                    "the partial file was discarded, upload it again")
        with self._lock_for(sha256), self.engine.begin() as conn:
            started = conn.execute(select(uploads_table.c.started_at).where(mine)).scalar()
            conn.execute(delete(uploads_table).where(mine))
            if conn.execute(select(files_table.c.sha256).where(files_table.c.sha256 == sha256)).first() is None:
                self.storage.commit(sha256, staged)
                conn.execute(insert(files_table).values(sha256=sha256, size=total, station=station,
                                                        started_at=started or now, stored_at=time.time()))
            else:  # the hub had the bytes already: this upload only proved the station has them too
                staged.unlink(missing_ok=True)
            if station not in self._holders(conn, sha256):  # another worker may have finished the same upload
                conn.execute(insert(holders_table).values(sha256=sha256, station=station))

    def _adopt_shared_staging(self) -> None:
        """Staged bytes named by the file alone (before uploads were kept apart per station) go to their uploader."""
        with self.engine.connect() as conn:
            owners = {row.sha256: row.station for row in conn.execute(select(uploads_table.c.sha256, uploads_table.c.station))}
        for path in self.staging.iterdir():
            if path.is_file() and SHA256_NAME.fullmatch(path.name) and path.name in owners:
                path.replace(self.staged(path.name, owners[path.name]))

    # -- abandoned uploads -----------------------------------------------------------------

    def clean_stale_uploads(self, now: float | None = None) -> list[str]:
        """Delete partial uploads idle for ``stale_after_s``, and staged bytes nobody declared; returns their staged names."""
        now = time.time() if now is None else now
        self._last_clean = now
        cutoff = now - self.stale_after_s
        with self.engine.connect() as conn:
            declared = {f"{r.sha256}.{r.station}": r.started_at
                        for r in conn.execute(select(uploads_table.c.sha256, uploads_table.c.station, uploads_table.c.started_at))}
        staged = {p.name for p in self.staging.iterdir() if p.is_file() and _STAGED.fullmatch(p.name)}
        return [name for name in sorted(set(declared) | staged) if self._drop_if_idle(name, declared.get(name), cutoff)]

    def _drop_if_idle(self, name: str, started_at: float | None, cutoff: float) -> bool:
        sha256, _, station = name.partition(".")
        lock = self._lock_for(sha256, station)
        if not lock.acquire(blocking=False):
            return False  # a chunk is arriving right now: not abandoned
        try:
            staged = self.staging / name
            last_touched = staged.stat().st_mtime if staged.is_file() else started_at
            if last_touched is None or last_touched >= cutoff:
                return False
            with self.engine.begin() as conn:
                conn.execute(delete(uploads_table).where(uploads_table.c.sha256 == sha256,
                                                         uploads_table.c.station == station))
            staged.unlink(missing_ok=True)
            return True
        finally:
            lock.release()

    def first_file_started_at(self) -> float | None:
        with self.engine.connect() as conn:
            started = conn.execute(select(files_table.c.started_at).order_by(files_table.c.started_at).limit(1)).scalar()
            pending = conn.execute(select(uploads_table.c.started_at).order_by(uploads_table.c.started_at).limit(1)).scalar()
        times = [t for t in (started, pending) if t is not None]
        return min(times) if times else None


def _attached_sha256(body: str) -> str:
    data = json.loads(body).get("data")
    return str(data.get("sha256", "")) if isinstance(data, dict) else ""


def _append_durably(path: Path, chunk: bytes) -> None:
    with path.open("ab") as handle:
        handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_hub_files(engine: Engine, settings: HubSettings) -> HubFiles:
    """The hub's files where its settings put them; uploads abandoned while it was down are cleaned first."""
    env = settings.env
    files = HubFiles(engine, storage_for(env.s3, env.files_dir, settings.files_root), settings.files_staging,
                     env.stale_upload_s)
    files.clean_stale_uploads()
    return files
