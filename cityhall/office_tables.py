"""Tables of the city hall's own office work: staff accounts and sessions, publications.

Kept apart from the sync tables (``db.py``); created by the named migration
``0003_staff_and_publications`` that ``db.MIGRATIONS`` runs like any other.
"""
from __future__ import annotations

import secrets

from sqlalchemy import BigInteger, Column, Connection, Float, Integer, MetaData, String, Table, Text, insert

__all__ = ["office_metadata", "staff", "staff_sessions", "publications", "office_secrets", "create_office_tables",
           "SESSION_KEY_NAME"]

SESSION_KEY_NAME = "staff_session_key"
_SeqType = BigInteger().with_variant(Integer(), "sqlite")

office_metadata = MetaData()

staff = Table(
    "staff", office_metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", Float, nullable=True),
    Column("created_at", String(40), nullable=False),
)
"""City hall staff who may open the staff pages; passwords as salted scrypt hashes."""

staff_sessions = Table(
    "staff_sessions", office_metadata,
    Column("sid_hash", String(64), primary_key=True),
    Column("staff_id", String(32), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("expires_at", Float, nullable=False),
)
"""Signed-in sessions; the cookie holds the session id, the table only its hash (logout deletes the row)."""

publications = Table(
    "publications", office_metadata,
    Column("seq", _SeqType, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),
    Column("name", String(100), nullable=False),
    Column("body", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("published_at", String(40), nullable=False),
)
"""Item definitions and working-day tables sent to every station; ``seq`` is their pull cursor."""

office_secrets = Table(
    "office_secrets", office_metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)
"""Keys every worker process on this database shares (the session cookie's signing key)."""


def create_office_tables(conn: Connection) -> None:
    office_metadata.create_all(conn)
    conn.execute(insert(office_secrets).values(name=SESSION_KEY_NAME, value=secrets.token_hex(32)))
