"""The notification outbox's tables, beside the sync schema in ``cityhall.db``'s metadata."""
from __future__ import annotations

from sqlalchemy import Column, Connection, Float, Index, Integer, String, Table, Text, UniqueConstraint

from cityhall.db import SeqType, metadata

__all__ = ["notices", "sms_links", "sms_opt_outs", "create_notify_tables"]

notices = Table(
    "notices", metadata,
    Column("id", String(32), primary_key=True),
    Column("case_no", String(25), nullable=False),
    Column("step", String(32), nullable=False),
    Column("event_id", String(64), nullable=True),
    Column("position", SeqType, nullable=False),
    Column("phone", String(20), nullable=True),
    Column("template", String(64), nullable=False),
    Column("params", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("detail", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("claimed_at", Float, nullable=True),
    Column("done_at", Float, nullable=True),
    UniqueConstraint("case_no", "step", name="notices_one_per_case_step"),
    Index("notices_by_status", "status", "created_at"),
    Index("notices_by_claim", "claimed_at"),
)
"""One text per case and step; the unique key is what makes retries, re-pushes and restarts harmless."""

sms_links = Table(
    "sms_links", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("case_no", String(25), nullable=False, index=True),
    Column("made_at", Float, nullable=False),
)
"""Tracking links the hub made for texts: the receipt's token never reaches the hub, only its hash."""

sms_opt_outs = Table(
    "sms_opt_outs", metadata,
    Column("case_no", String(25), primary_key=True),
    Column("source", String(16), nullable=False),
    Column("at", Float, nullable=False),
)
"""Cases whose applicant said 不再接收短信 (on the tracking page, or at intake)."""


def create_notify_tables(conn: Connection) -> None:
    metadata.create_all(conn, tables=[notices, sms_links, sms_opt_outs])
