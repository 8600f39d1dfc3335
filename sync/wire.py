"""The wire format: a batch of events as gzip'd column-major JSON.

Column-major (``{"id": [...], "case": [...], ...}``) puts similar values next to each
other (every ``hlc`` shares its leading digits, every ``case`` its station prefix), so
gzip finds far more repeats than in a list of objects, and no key is repeated per event.
The decoder is strict: a malformed batch is refused as a whole with the reason.
"""
from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import dataclass
from typing import Any

import msgspec

from station.ledger import Event, EventFormatError

__all__ = ["WireError", "COLUMNS", "encode_batch", "decode_batch", "decode_events", "Malformed", "events_to_columns",
           "dicts_to_columns", "columns_to_dicts", "gzip_json", "gunzip_json", "MAX_BODY_BYTES", "MAX_PUSH_INFLATED",
           "MAX_BATCH_EVENTS"]

WIRE_VERSION = 1
COLUMNS = ("id", "case", "kind", "hlc", "at", "station", "actor", "data", "v", "role", "prev")
MAX_BODY_BYTES = 64 * 1024 * 1024
"""Refuse to inflate more than this: a small gzip bomb must not exhaust the hub's memory."""
MAX_PUSH_INFLATED = 16 * 1024 * 1024
"""A push inflates to at most this (a 10,000-event backlog is a few MiB): a 60 KiB body
holding millions of tiny objects is refused before it is parsed into them."""
MAX_BATCH_EVENTS = 20_000


@dataclass(frozen=True)
class Malformed:
    """An event of a batch that breaks the contract: answered ``rejected`` with the reason, alone."""

    index: int
    id: str
    reason: str


class WireError(ValueError):
    """A body that is not a well-formed batch; the message says what is wrong."""


def events_to_columns(events: list[Event]) -> dict[str, list[Any]]:
    return {column: [getattr(event, column) for event in events] for column in COLUMNS}


def dicts_to_columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Column-major form of event dicts (an absent optional key becomes its default)."""
    defaults = {"role": "", "prev": "", "data": {}, "v": 1}
    return {column: [row.get(column, defaults.get(column, "")) for row in rows] for column in COLUMNS}


def columns_to_dicts(columns: Any) -> list[dict[str, Any]]:
    if not isinstance(columns, dict) or any(not isinstance(columns.get(c), list) for c in COLUMNS):
        raise WireError(f"batch must carry the columns {', '.join(COLUMNS)} as lists")
    lengths = {len(columns[c]) for c in COLUMNS}
    if len(lengths) != 1:
        raise WireError("batch columns differ in length")
    return [{c: columns[c][i] for c in COLUMNS} for i in range(lengths.pop())]


def gzip_json(payload: Any) -> bytes:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def gunzip_json(body: bytes, limit: int = MAX_BODY_BYTES) -> Any:
    try:
        inflater = zlib.decompressobj(wbits=31)
        raw = inflater.decompress(body, limit)
        if inflater.unconsumed_tail:
            raise WireError(f"body inflates to more than {limit} bytes")
        return msgspec.json.decode(raw)
    except (zlib.error, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise WireError(f"body is not gzip'd UTF-8 JSON: {exc}") from exc
    except RecursionError as exc:
        raise WireError("body nests JSON too deeply") from exc


def encode_batch(events: list[Event], **extra: Any) -> bytes:
    return gzip_json({"w": WIRE_VERSION, "events": events_to_columns(events), **extra})


def decode_batch(body: bytes) -> tuple[list[Event], dict[str, Any]]:
    """Events of a batch and its other top-level keys; WireError if anything is malformed."""
    events, extra = decode_events(body)
    for event in events:
        if isinstance(event, Malformed):
            raise WireError(f"event #{event.index + 1}: {event.reason}")
    return events, extra  # type: ignore[return-value]


def decode_events(body: bytes, limit: int = MAX_BODY_BYTES) -> tuple[list[Event | Malformed], dict[str, Any]]:
    """Each event of a batch checked on its own: a malformed one does not sink the rest."""
    payload = gunzip_json(body, limit)
    if not isinstance(payload, dict) or payload.get("w") != WIRE_VERSION:
        raise WireError(f"batch must be an object with \"w\": {WIRE_VERSION}")
    rows = columns_to_dicts(payload.get("events"))
    if len(rows) > MAX_BATCH_EVENTS:
        raise WireError(f"batch holds {len(rows)} events; at most {MAX_BATCH_EVENTS} are allowed")
    events: list[Event | Malformed] = []
    for index, raw in enumerate(rows):
        try:
            events.append(Event.from_dict(raw))
        except EventFormatError as exc:
            claimed = raw.get("id")
            plain = isinstance(claimed, str) and claimed.isascii() and claimed.isprintable() and len(claimed) <= 64
            events.append(Malformed(index, claimed if plain else "", str(exc)))
    return events, {k: v for k, v in payload.items() if k not in ("w", "events")}
