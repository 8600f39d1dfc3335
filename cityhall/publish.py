"""One catalogue, one calendar: what the city hall publishes and every station receives.

An item definition (a versioned TOML file) or a working-day table (``YYYY.toml``) is
checked with the same parsers the stations use before it is stored; a broken file is
refused with every problem listed. Each publication gets the next ``seq``, which is the
stations' cursor on ``GET /api/v1/publications?after=N``. An item version, once
published, never changes (cases keep the version they were filed under); a calendar year
may be published again (a corrected 调休 table replaces the old one as a whole).
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select

from forms import Catalogue, CatalogueError, ServiceItem, UnknownItem, builtin_catalogue, parse_item
from station.workdays import CalendarError, WorkCalendar, YearTable, load_table, parse_table

from .db import take_write_lock
from .office_tables import publications

__all__ = ["PublishRefused", "Publication", "publish_item", "publish_calendar", "publications_after",
           "hub_calendar", "PublishedCalendar", "hub_catalogue", "PublishedCatalogue", "item_file_name", "ITEM", "CALENDAR"]

ITEM, CALENDAR = "item", "calendar"


class PublishRefused(ValueError):
    """The file cannot be published; ``problems`` lists every reason, one a line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Publication:
    seq: int
    kind: str
    name: str
    body: str
    sha256: str
    published_at: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "name": self.name, "body": self.body,
                "sha256": self.sha256, "published_at": self.published_at}


def item_file_name(item: ServiceItem) -> str:
    """``{code}.v{N}.toml``: the name ``forms`` reads the version from, too."""
    return f"{item.code}.v{item.version}.toml"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PublishRefused([f"{path}: 读不了这个文件（{exc}）"]) from None


def publish_item(engine: Engine, path: Path) -> Publication | None:
    """Store a new item version; None when exactly this text is already published."""
    text = _read(path)
    try:
        item = parse_item(text, str(path))
    except CatalogueError as exc:
        raise PublishRefused([f"{exc.path}（事项 {exc.item}）：{p}" for p in exc.problems]) from None
    name = item_file_name(item)
    with engine.begin() as conn:
        take_write_lock(conn)
        same = _latest(conn, ITEM, name)
        if same is not None:
            if same.sha256 == _sha256(text):
                return None
            raise PublishRefused([f"{item.code}（{item.name}）第{item.version}版已于 {same.published_at} 发布，"
                                  f"内容不能再改：请把 version 改为 {item.version + 1} 后发布新版本"])
        _refuse_builtin_clash(item, text)
        return _insert(conn, ITEM, name, text)


def _refuse_builtin_clash(item: ServiceItem, text: str) -> None:
    try:
        builtin = builtin_catalogue().get(item.code, item.version)
    except UnknownItem:
        return
    if builtin != item:
        raise PublishRefused([f"{item.code}（{item.name}）第{item.version}版是内置版本，各站已有且内容不同："
                              f"请把 version 改为 {max(builtin_catalogue().versions(item.code)) + 1} 后发布"])


def publish_calendar(engine: Engine, path: Path) -> Publication | None:
    """Store a year's working-day table; None when exactly this text is the year's latest."""
    try:
        table = load_table(path)
    except CalendarError as exc:
        raise PublishRefused([f"{path}: {p}" for p in exc.problems]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PublishRefused([f"{path}: 读不了这个文件（{exc}）"]) from None
    text = _read(path)
    with engine.begin() as conn:
        take_write_lock(conn)
        latest = _latest(conn, CALENDAR, f"{table.year}.toml")
        if latest is not None and latest.sha256 == _sha256(text):
            return None
        return _insert(conn, CALENDAR, f"{table.year}.toml", text)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _latest(conn: Any, kind: str, name: str) -> Publication | None:
    row = conn.execute(select(publications).where(publications.c.kind == kind, publications.c.name == name)
                       .order_by(publications.c.seq.desc()).limit(1)).first()
    return Publication(**row._mapping) if row else None


def _insert(conn: Any, kind: str, name: str, text: str) -> Publication:
    seq = (conn.execute(select(func.max(publications.c.seq))).scalar() or 0) + 1
    publication = Publication(seq, kind, name, text, _sha256(text),
                              datetime.now(timezone.utc).isoformat(timespec="seconds"))
    conn.execute(insert(publications).values(**publication.to_dict()))
    return publication


def publications_after(engine: Engine, after: int, limit: int) -> tuple[list[Publication], bool]:
    """Publications with ``seq > after`` in order, and whether more follow."""
    query = select(publications).where(publications.c.seq > after).order_by(publications.c.seq).limit(limit + 1)
    with engine.connect() as conn:
        rows = [Publication(**row._mapping) for row in conn.execute(query)]
    return rows[:limit], len(rows) > limit


def hub_calendar(engine: Engine) -> WorkCalendar:
    """The built-in tables with every year's latest published table laid over them."""
    base = WorkCalendar.load()
    tables: dict[int, YearTable] = {year: base.table(year) for year in base.years}
    query = select(publications.c.name, publications.c.body).where(publications.c.kind == CALENDAR) \
        .order_by(publications.c.seq)
    with engine.connect() as conn:
        for name, body in conn.execute(query):
            year = int(name.removesuffix(".toml"))
            tables[year] = parse_table(body, year=year, source=f"published {name}")
    return WorkCalendar.from_tables(tables)


class PublishedCalendar:
    """``hub_calendar`` for every page view, read again only after a calendar is published.

    ``cityhall publish calendar`` runs in its own process, so each call asks the database
    for the newest calendar publication (one indexed read) and rebuilds when it moved.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._seq: int | None = -1
        self._calendar = WorkCalendar.load()
        self._lock = threading.Lock()

    def get(self) -> WorkCalendar:
        query = select(func.max(publications.c.seq)).where(publications.c.kind == CALENDAR)
        with self.engine.connect() as conn:
            newest = conn.execute(query).scalar()
        with self._lock:
            if newest != self._seq:
                self._calendar, self._seq = hub_calendar(self.engine), newest
            return self._calendar


def hub_catalogue(engine: Engine) -> Catalogue:
    """The built-in items with every published version laid over them: what cases are judged by."""
    query = select(publications.c.name, publications.c.body).where(publications.c.kind == ITEM) \
        .order_by(publications.c.seq)
    with engine.connect() as conn:
        published = [parse_item(body, name) for name, body in conn.execute(query)]
    base = builtin_catalogue()
    every = [base.get(item.code, version) for item in base.items() for version in base.versions(item.code)]
    return Catalogue([*every, *published])


_NEWEST_ITEM = select(func.max(publications.c.seq)).where(publications.c.kind == ITEM)


class PublishedCatalogue:
    """``hub_catalogue`` for every push, read again only after an item is published (one indexed read)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._seq: int | None = -1
        self._catalogue = builtin_catalogue()
        self._lock = threading.Lock()

    def get(self, conn: Connection | None = None) -> Catalogue:
        """The catalogue as published; ``conn``: read in the caller's transaction (a push's), not a new one."""
        if conn is None:
            with self.engine.connect() as own:
                return self.get(own)
        newest = conn.execute(_NEWEST_ITEM).scalar()
        with self._lock:
            if newest != self._seq:
                self._catalogue, self._seq = hub_catalogue(self.engine), newest
            return self._catalogue
