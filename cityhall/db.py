"""The city hall's schema on SQLAlchemy Core, and its named migrations.

The same table objects and statements run on SQLite (the default) and PostgreSQL;
nothing here is written twice. Migrations are named, recorded in ``_migrations`` and
each runs in its own transaction; ``serve`` and ``enroll`` both run what is missing.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    BigInteger, Column, ColumnElement, Connection, Engine, Float, Index, Integer, MetaData, PrimaryKeyConstraint,
    String, Table, Text, UniqueConstraint, bindparam, cast, create_engine, event, false, func, insert, inspect,
    literal_column, or_, select, text, update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.base import Executable
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import Select

__all__ = ["metadata", "stations", "events", "feed", "cases", "viewers_text", "viewers_in", "may_see", "parked",
           "rejections",
           "migrations_table", "MIGRATIONS", "make_engine", "migrate", "applied_migrations", "hub_lock",
           "chain_links", "chain_alarms", "WriteTurn", "take_write_lock", "pass_write_turn", "insert_many", "run_compiled", "one_of",
           "json_list"]

# SQLite gives an INTEGER PRIMARY KEY the rowid's speed; PostgreSQL needs 64 bits for sequences.
SeqType = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

migrations_table = Table(
    "_migrations", metadata,
    Column("name", String(100), primary_key=True),
    Column("applied_at", String(40), nullable=False),
)

stations = Table(
    "stations", metadata,
    Column("code", String(12), primary_key=True),
    Column("public_key", String(64), nullable=False),
    Column("enrolled_at", String(40), nullable=False),
    Column("last_contact", Float, nullable=True),
    Column("encryption_key", String(64), nullable=True),
)
"""``encryption_key``: the X25519 key the station's bundles are opened with (migration ``0008``)."""

events = Table(
    "events", metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=False),
    Column("id", String(64), nullable=False),
    Column("case_no", String(25), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("station", String(12), nullable=False),
    Column("hlc", String(32), nullable=False),
    Column("body", Text, nullable=False),
    Column("ingested_at", Float, nullable=False),
    Index("events_by_case", "case_no", "hlc"),
    UniqueConstraint("station", "id", name="events_station_id"),
)
"""An event is its station's: (station, id) is unique, never the id alone (DESIGN §5)."""

feed = Table(
    "feed", metadata,
    Column("fseq", SeqType, nullable=False, autoincrement=False),
    Column("station", String(12), nullable=False),
    Column("event_seq", SeqType, nullable=False),
    Column("span", Integer, nullable=False, server_default="1"),
    PrimaryKeyConstraint("station", "fseq"),
    sqlite_with_rowid=False,
)
"""What each station may pull, in the order it became visible to it (the pull cursor).

A row stands for ``span`` deliveries in a run (migration ``0010``): fseqs ``fseq - span + 1``
to ``fseq`` carry events ``event_seq - span + 1`` to ``event_seq``, one to one. A push of a
village's cases reaches each viewer as one run, so the feed grows by a row per viewer and
push, not per viewer and event; a pull still counts its cursor in single deliveries.

Keyed by what a pull reads, (station, fseq), and nothing else: one b-tree per row on SQLite
(``WITHOUT ROWID``), where a rowid table and an index took two. ``fseq`` is unique across
stations all the same: ingest hands it out from ``hub_lock.next_fseq`` (migration ``0009``)."""

legacy_case_viewers = Table(
    "case_viewers", metadata,
    Column("case_no", String(25), primary_key=True),
    Column("station", String(12), primary_key=True),
    sqlite_with_rowid=False,
)
"""A row per case and station that may see it, as migrations ``0001`` to ``0010`` made it; ``0011``
moves them into ``cases.viewers`` and drops the table. ``WITHOUT ROWID`` here and below: a table
read and written only by its key is one b-tree, not two."""

cases = Table(
    "cases", metadata,
    Column("case_no", String(25), primary_key=True),
    Column("origin", String(12), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("status", String(32), nullable=False),
    Column("last_hlc", String(32), nullable=False),
    Column("viewers", Text, nullable=False, server_default=""),
    sqlite_with_rowid=False,
)
"""``viewers``: every station that may see the case (``viewers_text``; migration ``0011``). A new case
wrote a row per viewer, four for a village's case, which cost the ingest more than its ``cases`` row."""


def viewers_text(stations: Iterable[str]) -> str:
    """``cases.viewers`` of these stations: their codes, sorted, a space between and at each end."""
    return _viewers_text(frozenset(stations))


@functools.lru_cache(maxsize=4096)
def _viewers_text(stations: frozenset[str]) -> str:
    """Remembered: every case of a village has the same viewers (a refused set raises, never kept)."""
    codes = sorted(stations)
    if not all(_plain_code(code) for code in codes):
        raise ValueError(f"not station codes: {codes!r}")
    return f" {' '.join(codes)} "


def viewers_in(text: str) -> set[str]:
    """The stations a ``cases.viewers`` names."""
    return set(text.split())


def may_see(stations: str | Iterable[str]) -> ColumnElement[bool]:
    """The ``cases`` row is of a case the station (or one of the stations) may see: its code is
    one of ``viewers`` whole (a space each side), never a part of one or two run together. (SQLite's
    LIKE ignores ASCII case, PostgreSQL's does not: the same here, station codes being digits.)"""
    listed = [code for code in ([stations] if isinstance(stations, str) else sorted(stations)) if _plain_code(code)]
    return or_(*(cases.c.viewers.contains(f" {code} ", autoescape=True) for code in listed)) if listed else false()


def _plain_code(code: str) -> bool:
    """Not empty, no whitespace: what ``viewers_in`` reads back as itself."""
    return code.split() == [code]

parked = Table(
    "parked", metadata,
    Column("id", String(64), primary_key=True),
    Column("case_no", String(25), nullable=False, index=True),
    Column("station", String(12), primary_key=True),
    Column("body", Text, nullable=False),
    Column("parked_at", Float, nullable=False),
)
"""Events of cases the hub has not seen yet: applied when the case's ``received`` arrives."""

rejections = Table(
    "rejections", metadata,
    Column("id", String(64), primary_key=True),
    Column("case_no", String(25), nullable=False),
    Column("station", String(12), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("rejected_at", Float, nullable=False),
)
"""Parked events found forbidden once their case arrived (the sender had already moved on)."""

_INITIAL_TABLES = [stations, events, feed, legacy_case_viewers, cases, parked, rejections]


def _initial(conn: Connection) -> None:
    metadata.create_all(conn, tables=_INITIAL_TABLES)


hub_lock = Table(
    "hub_lock", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("writes", BigInteger, nullable=False),
    Column("next_seq", BigInteger, nullable=False, server_default="1"),
    Column("next_fseq", BigInteger, nullable=False, server_default="1"),
)
"""One row every ingest updates first: the one-writer rule across all processes and workers.

It also holds the next ``events.seq`` and ``feed.fseq`` (migration ``0009``), so the writer that
holds the lock reads them with the lock, in one statement, and no maximum is looked up."""

chain_links = Table(
    "chain_links", metadata,
    Column("event_id", String(64), nullable=False),
    Column("station", String(12), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("prev", String(64), nullable=False),
    Column("hlc", String(64), nullable=False),
    PrimaryKeyConstraint("station", "event_id"),
    sqlite_with_rowid=False,
)
"""Every event a station handed in itself (accepted, parked or rejected): its hash chain."""

chain_alarms = Table(
    "chain_alarms", metadata,
    Column("event_id", String(64), primary_key=True),
    Column("station", String(12), primary_key=True),
    Column("problem", Text, nullable=False),
    Column("seen_at", Float, nullable=False),
)
"""Events re-sent with content other than what the hub first received."""


@dataclass(frozen=True, slots=True)
class WriteTurn:
    """What the writer holding the lock starts from: the lock's count of writes, and the next seqs."""

    writes: int
    next_seq: int
    next_fseq: int


def take_write_lock(conn: Connection) -> WriteTurn:
    """Serialise writers across processes, the same statement on SQLite and PostgreSQL.

    As a transaction's first statement, this UPDATE takes SQLite's write lock (waiting up
    to the busy timeout) and PostgreSQL's row lock (held to commit), so whatever the
    transaction reads next (known ids, case events) no other writer can change. A writer
    that adds events or feed rows hands the next seqs on with :func:`pass_write_turn`.
    """
    return WriteTurn(*run_compiled(conn, _TAKE_LOCK)[0])


def pass_write_turn(conn: Connection, next_seq: int, next_fseq: int) -> None:
    """Record the seqs the next writer starts from (in the transaction that used the ones before)."""
    run_compiled(conn, _PASS_TURN, {"next_seq": next_seq, "next_fseq": next_fseq})


_TAKE_LOCK = (hub_lock.update().where(hub_lock.c.id == 1).values(writes=hub_lock.c.writes + 1)
              .returning(hub_lock.c.writes, hub_lock.c.next_seq, hub_lock.c.next_fseq))
"""Built once: building it on every push showed in the ingest profile."""
_PASS_TURN = update(hub_lock).where(hub_lock.c.id == 1).values(next_seq=bindparam("next_seq"),
                                                                  next_fseq=bindparam("next_fseq"))


def insert_many(conn: Connection, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples of ``columns``' values, in that order) with one driver ``executemany``.

    The statement is compiled once per dialect and column set, its placeholders in the order
    of ``columns``, so on SQLite's positional driver the rows go as they are (PostgreSQL's
    driver takes them named). Through ``conn.execute`` SQLAlchemy processes every row's
    parameters again, which cost the hub's ingest more than the inserts themselves.
    """
    if not rows:
        return
    sql, positional = _compiled_insert(conn.dialect, table, columns)
    params: list[Any] = rows if positional else [dict(zip(columns, row, strict=True)) for row in rows]
    with _driver_cursor(conn) as cursor:
        cursor.executemany(sql, params)


def run_compiled(conn: Connection, statement: Executable,
                 params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None) -> list[tuple[Any, ...]]:
    """The rows of ``conn.execute(statement, params)`` (none for a statement without a result), for
    the statements every push and pull runs: compiled once per dialect and run on the transaction's
    own driver connection (a list of ``params``: one ``executemany``).

    Through ``conn.execute`` each cost a push some 35 µs of SQLAlchemy's per-call bookkeeping, more
    than SQLite's own work on them. Neither bind nor result processing is applied: the statements
    this is for bind and read only text and numbers, which the drivers take and give as they are.
    """
    compiled = _compiled_statement(conn.dialect, statement)
    with _driver_cursor(conn) as cursor:
        if isinstance(params, Sequence):
            cursor.executemany(compiled.sql, [compiled.arguments(row) for row in params])
        else:
            cursor.execute(compiled.sql, compiled.arguments(params or {}))
        return list(cursor.fetchall()) if cursor.description is not None else []


@contextmanager
def _driver_cursor(conn: Connection) -> Iterator[Any]:
    """The driver's own cursor, in the transaction ``conn`` began; closed after use."""
    cursor = conn.connection.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


@dataclass(frozen=True)
class _CompiledStatement:
    sql: str
    order: tuple[str, ...] | None
    """The names of the positional placeholders in order (a name bound twice appears twice); None
    when the dialect's placeholders are named."""
    literals: dict[str, Any]
    """The values the statement binds itself (the 1 of ``writes + 1``)."""

    def arguments(self, params: Mapping[str, Any]) -> Any:
        values = self.literals | dict(params)
        return values if self.order is None else tuple(values[name] for name in self.order)


@functools.lru_cache(maxsize=64)
def _compiled_statement(dialect: Dialect, statement: Executable) -> _CompiledStatement:
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]  # every Executable here is a ClauseElement
    literals = {name: value for name, value in compiled.params.items() if value is not None}
    order = tuple(compiled.positiontup) if compiled.positiontup is not None else None
    return _CompiledStatement(compiled.string, order, literals)


@functools.lru_cache(maxsize=64)
def _compiled_insert(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> tuple[str, bool]:
    """The INSERT's text, and whether it is positional (then its placeholders follow ``columns``)."""
    compiled = insert(table).values({name: bindparam(name) for name in columns}).compile(dialect=dialect)
    order = tuple(compiled.positiontup or ())
    if order and order != columns:
        raise AssertionError(f"{table.name}: placeholders in the order {order}, not {columns}")
    return compiled.string, bool(order)


class _JsonValues(FunctionElement[Any]):
    """The values of a JSON list bound as one parameter, as a table of one column, ``value``."""

    name = "json_values"
    inherit_cache = True


@compiles(_JsonValues, "sqlite")
def _json_values_sqlite(element: _JsonValues, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_each({compiler.process(element.clauses, **kw)})"


@compiles(_JsonValues, "postgresql")
def _json_values_postgresql(element: _JsonValues, compiler: SQLCompiler, **kw: Any) -> str:
    return f"jsonb_array_elements_text(CAST({compiler.process(element.clauses, **kw)} AS jsonb))"


def one_of(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """``column`` is one of the list bound as ``name`` (pass it through :func:`json_list`).

    One statement text whatever the list's length: an expanding ``IN`` is rendered again for
    every call and for each length, which showed in the hub's per-push profile, and SQLite
    bounds how many parameters one statement may have.
    """
    value: ColumnElement[Any] = literal_column("value")
    if isinstance(column.type, Integer):  # PostgreSQL's list holds text: its numbers are cast
        value = cast(value, BigInteger)
    values: Select[Any] = select(value).select_from(_JsonValues(bindparam(name, type_=Text())))
    return column.in_(values)


def json_list(values: Iterable[str | int]) -> str:
    """The value to bind for a :func:`one_of` parameter."""
    return json.dumps(list(values), ensure_ascii=False)


def _write_lock_and_chain(conn: Connection) -> None:
    metadata.create_all(conn, tables=[hub_lock, chain_links, chain_alarms])
    conn.execute(insert(hub_lock).values(id=1, writes=0))
    _backfill_chain_links(conn)


def _backfill_chain_links(conn: Connection) -> None:
    """Chain links of the events a live hub stored before this migration."""
    from station.ledger import Event  # pure; imported here to keep the schema module's imports light

    links = []
    for row in conn.execute(select(events.c.id, events.c.station, events.c.hlc, events.c.body)):
        event = Event.from_stored(json.loads(row.body))
        links.append({"event_id": row.id, "station": row.station, "hlc": row.hlc,
                      "digest": event.digest(), "prev": event.prev})
    for start in range(0, len(links), 1000):
        conn.execute(insert(chain_links), links[start:start + 1000])


def _staff_and_publications(conn: Connection) -> None:
    from .office_tables import create_office_tables  # issue 6's tables live beside the sync schema

    create_office_tables(conn)


_STATION_KEYED = {"parked": "station, id", "rejections": "station, id", "chain_links": "station, event_id",
                  "chain_alarms": "station, event_id"}


def _event_identity(conn: Connection) -> None:
    """(station, id) identifies an event everywhere: another station's equal id never collides."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE events DROP CONSTRAINT IF EXISTS events_id_key")
        conn.exec_driver_sql("CREATE UNIQUE INDEX IF NOT EXISTS events_station_id ON events (station, id)")
        for name, key in _STATION_KEYED.items():
            conn.exec_driver_sql(f"ALTER TABLE {name} DROP CONSTRAINT {name}_pkey, ADD PRIMARY KEY ({key})")
        return
    for table in (events, parked, rejections, chain_links, chain_alarms):
        _rebuild_sqlite_table(conn, table)


def _rebuild_sqlite_table(conn: Connection, table: Table) -> None:
    """SQLite cannot change a key in place: the table is made anew from its definition and filled."""
    old = f"{table.name}__old"
    conn.exec_driver_sql(f"ALTER TABLE {table.name} RENAME TO {old}")
    indexes = [row[0] for row in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (old,))]
    for index in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{index}"')
    table.create(conn)
    present = {column["name"] for column in inspect(conn).get_columns(old)}
    columns = ", ".join(column.name for column in table.columns if column.name in present)
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {old}")
    conn.exec_driver_sql(f"DROP TABLE {old}")


def _quarantine_broken_events(conn: Connection) -> None:
    """Events stored before the event contract that break it leave the ledger for ``rejections``.

    One such event (a date of "garbage", a limit of "abc") used to break its case's page,
    every staff page and every pull that carried it; after this, what the store holds is
    what the contract allows, and the event stays readable in ``rejections`` with why.
    """
    from station.ledger import Event, EventFormatError  # pure; imported here to keep the schema module light

    last, broken = 0, []
    while True:
        rows = conn.execute(select(events.c.seq, events.c.id, events.c.case_no, events.c.station, events.c.body)
                            .where(events.c.seq > last).order_by(events.c.seq).limit(1000)).all()
        if not rows:
            break
        for row in rows:
            try:
                Event.from_dict(json.loads(row.body))
            except (EventFormatError, ValueError) as exc:
                broken.append((row, str(exc)))
        last = rows[-1].seq
    for row, problem in broken:
        kept = conn.execute(select(rejections.c.id).where(rejections.c.station == row.station,
                                                          rejections.c.id == row.id)).first()
        conn.execute(feed.delete().where(feed.c.event_seq == row.seq))
        conn.execute(events.delete().where(events.c.seq == row.seq))
        if kept is None:
            conn.execute(insert(rejections).values(id=row.id, case_no=row.case_no, station=row.station, body=row.body,
                                                   reason=f"stored before the event contract and breaks it: {problem}",
                                                   rejected_at=datetime.now(timezone.utc).timestamp()))


def _revocations(conn: Connection) -> None:
    from .revocation import create_revocations_table  # revoked station keys (cityhall revoke)

    create_revocations_table(conn)


def _notices(conn: Connection) -> None:
    from .notify.tables import create_notify_tables  # issue 14's text-message outbox

    create_notify_tables(conn)


def _encryption_keys(conn: Connection) -> None:
    from .bundles import add_encryption_keys  # sealed bundles: the stations' keys and the hub's own

    add_encryption_keys(conn)


def _files_tables(conn: Connection) -> None:
    from .files import _first_tables

    _first_tables(conn)


def _files_holders(conn: Connection) -> None:
    from .files import _holders

    _holders(conn)


def _lean_keys(conn: Connection) -> None:
    """The tables every push writes keep one b-tree per row, and the next seqs move into ``hub_lock``.

    SQLite: ``feed``, ``case_viewers`` (until ``0011``), ``cases`` and ``chain_links`` are made anew ``WITHOUT
    ROWID`` (``feed`` and ``chain_links`` keyed by station first, which drops their extra
    index). PostgreSQL: ``feed`` and ``chain_links`` are keyed the same way; their extra indexes go.
    """
    if "next_seq" not in {column["name"] for column in inspect(conn).get_columns("hub_lock")}:
        for name in ("next_seq", "next_fseq"):
            conn.exec_driver_sql(f"ALTER TABLE hub_lock ADD COLUMN {name} BIGINT NOT NULL DEFAULT 1")
    conn.execute(update(hub_lock).values(
        next_seq=select(func.coalesce(func.max(events.c.seq), 0) + 1).scalar_subquery(),
        next_fseq=select(func.coalesce(func.max(feed.c.fseq), 0) + 1).scalar_subquery()))
    if conn.dialect.name == "postgresql":
        for name, key in (("feed", "station, fseq"), ("chain_links", "station, event_id")):
            conn.exec_driver_sql(f"ALTER TABLE {name} DROP CONSTRAINT {name}_pkey, ADD PRIMARY KEY ({key})")
        conn.exec_driver_sql("DROP INDEX IF EXISTS feed_by_station")
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_chain_links_station")
        return
    for table in (feed, legacy_case_viewers, cases, chain_links):
        _rebuild_sqlite_table(conn, table)


def _viewers_on_cases(conn: Connection) -> None:
    """Who may see a case moves from a row per station (``case_viewers``) into ``cases.viewers``, in
    one statement the database runs itself (a million cases need not pass through Python). A
    ``case_viewers`` row of a case the hub has no row for named nothing any reader found: it goes."""
    if "viewers" not in {column["name"] for column in inspect(conn).get_columns("cases")}:
        conn.exec_driver_sql("ALTER TABLE cases ADD COLUMN viewers TEXT NOT NULL DEFAULT ''")
    conn.exec_driver_sql(f"UPDATE cases SET viewers = ' ' || ({_VIEWER_CODES[conn.dialect.name]}) || ' ' "
                         "WHERE case_no IN (SELECT case_no FROM case_viewers)")
    legacy_case_viewers.drop(conn)


_VIEWER_CODES = {
    "sqlite": "SELECT group_concat(station, ' ') FROM "
              "(SELECT station FROM case_viewers WHERE case_no = cases.case_no ORDER BY station)",
    "postgresql": "SELECT string_agg(station, ' ' ORDER BY station) FROM case_viewers WHERE case_no = cases.case_no",
}
"""A case's viewers' codes, sorted, a space between (``viewers_text`` without its ends), per dialect."""


def _feed_runs(conn: Connection) -> None:
    """A feed row may stand for a run of deliveries (``feed.span``); every row before is a run of one."""
    if "span" not in {column["name"] for column in inspect(conn).get_columns("feed")}:
        conn.exec_driver_sql("ALTER TABLE feed ADD COLUMN span INTEGER NOT NULL DEFAULT 1")


Migration = tuple[str, Callable[[Connection], None]]
MIGRATIONS: list[Migration] = [("0001_initial", _initial), ("0002_write_lock_and_chain", _write_lock_and_chain),
                               ("0003_staff_and_publications", _staff_and_publications),
                               ("0004_event_identity", _event_identity),
                               ("0005_quarantine_broken_events", _quarantine_broken_events),
                               ("0006_revocations", _revocations),
                               ("0007_notices", _notices),
                               ("0008_encryption_keys", _encryption_keys),
                               # the attachment files' tables (cityhall/files.py), named as they always were
                               ("files_0001_tables", _files_tables), ("files_0002_holders", _files_holders),
                               ("0009_lean_keys", _lean_keys), ("0010_feed_runs", _feed_runs),
                               ("0011_viewers_on_cases", _viewers_on_cases)]
"""Every hub table's migrations, applied by :func:`migrate` alone, under one lock."""


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API connection
    cursor = dbapi_connection.cursor()
    # WAL lets the tracking pages read while a push writes; FULL makes an answered push durable.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


def applied_migrations(engine: Engine) -> list[str]:
    with engine.begin() as conn:
        migrations_table.create(conn, checkfirst=True)
        return [row.name for row in conn.execute(select(migrations_table.c.name))]


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """On PostgreSQL, workers starting together migrate one after the other (SQLite: start one first)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(7270015)"))
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(7270015)"))
            conn.commit()


def migrate(engine: Engine, migrations: list[Migration] | None = None) -> list[str]:
    """Apply the migrations not yet recorded (all of :data:`MIGRATIONS` unless told); returns the names applied now."""
    with _migration_lock(engine):
        return _migrate(engine, MIGRATIONS if migrations is None else migrations)


def _migrate(engine: Engine, migrations: list[Migration]) -> list[str]:
    done = set(applied_migrations(engine))
    applied = []
    for name, step in migrations:
        if name in done:
            continue
        with engine.begin() as conn:
            step(conn)
            conn.execute(insert(migrations_table).values(
                name=name, applied_at=datetime.now(timezone.utc).isoformat(timespec="seconds")))
        applied.append(name)
    return applied
