"""The wire format: a batch of events as compressed column-major JSON.

Column-major (``{"id": [...], "case": [...], ...}``) puts similar values next to each
other (every ``hlc`` shares its leading digits, every ``case`` its station prefix), so the
compressor finds far more repeats than in a list of objects, and no key is repeated per event.

Two versions, told apart by the body's first bytes, both decoded by the hub:

- ``w: 1``: gzip'd JSON (bundles, and stations of the first release);
- ``w: 2``: a zstd frame, what ``station sync`` pushes. ``prev`` (the SHA-256 of the
  station's previous event) is the one column compression cannot shrink: 32 random bytes
  per event. Within a batch it is nearly always the digest of the event just before, which
  the receiver computes anyway, so it travels as ``null`` there and is filled back in on
  decoding: the signed, stored and hashed events are exactly the ones sent.

The decoder is strict: a body that is not a batch is refused as a whole with the reason; an
event that breaks the contract is answered alone (``Malformed``).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec
import orjson
import zstandard

from station.ledger import Event, EventFormatError
from station.ledger.columns import parse_columns, parse_push_json
from station.ledger.contract import parse_event

if TYPE_CHECKING:
    from forms.jsonvalue import JsonObject, JsonValue

__all__ = ["WireError", "COLUMNS", "encode_batch", "encode_push", "decode_batch", "decode_events", "Malformed",
           "events_to_columns", "dicts_to_columns", "columns_to_dicts", "gzip_json", "gunzip_json", "MAX_BODY_BYTES",
           "MAX_PUSH_INFLATED", "MAX_BATCH_EVENTS", "ZSTD_LEVEL", "PushBody", "encode_push_stored"]

WIRE_VERSION = 1
PUSH_WIRE_VERSION = 2
ZSTD_LEVEL = 1
"""On event batches (column-major, ``prev`` left out) level 1 came out a little smaller than
levels 3 to 12 (10,000 sample events in batches of 2,000: 225 KB against 236 KB at level 9,
6 % over level 19) and costs the station a third less time than level 9."""
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
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


def events_to_columns(events: list[Event]) -> dict[str, Sequence[object]]:
    return {column: [getattr(event, column) for event in events] for column in COLUMNS}


def dicts_to_columns(rows: Sequence[Mapping[str, object]]) -> dict[str, list[object]]:
    """Column-major form of event dicts (an absent optional key becomes its default)."""
    defaults: dict[str, object] = {"role": "", "prev": "", "data": {}, "v": 1}
    return {column: [row.get(column, defaults.get(column, "")) for row in rows] for column in COLUMNS}


def columns_to_dicts(columns: object) -> list[JsonObject]:
    count = _column_length(columns)
    assert isinstance(columns, dict)
    return [{c: columns[c][i] for c in COLUMNS} for i in range(count)]


def _column_length(columns: object) -> int:
    """How many events the columns hold; WireError if they are not a batch's columns."""
    if not isinstance(columns, dict) or any(not isinstance(columns.get(c), list) for c in COLUMNS):
        raise WireError(f"batch must carry the columns {', '.join(COLUMNS)} as lists")
    lengths = {len(columns[c]) for c in COLUMNS}
    if len(lengths) != 1:
        raise WireError("batch columns differ in length")
    return lengths.pop()


def gzip_json(payload: object) -> bytes:
    """``payload`` as compact JSON, gzip'd (a pull page, a push's answer)."""
    return gzip.compress(_json_bytes(payload), compresslevel=9, mtime=0)


def gunzip_json(body: bytes, limit: int = MAX_BODY_BYTES) -> JsonValue:
    return _gunzip_json(body, limit)[0]


def _gunzip_json(body: bytes, limit: int) -> tuple[JsonValue, bool]:
    """The JSON value of a gzip'd body, and whether a float appears anywhere in it."""
    try:
        inflater = zlib.decompressobj(wbits=31)
        raw = inflater.decompress(body, limit)
        if inflater.unconsumed_tail:
            raise WireError(f"body inflates to more than {limit} bytes")
        return _json_loads(raw)
    except (zlib.error, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise WireError(f"body is not gzip'd UTF-8 JSON: {exc}") from exc
    except RecursionError as exc:
        raise WireError("body nests JSON too deeply") from exc


def _json_loads(raw: bytes) -> tuple[JsonValue, bool]:
    """The JSON value and whether it holds a float: the decoder reports each number it reads
    as one, so a batch without any is hashed without searching its events for floats."""
    floats: list[str] = []

    def as_float(text: str) -> float:
        floats.append(text)
        return float(text)

    value: JsonValue = msgspec.json.Decoder(float_hook=as_float).decode(raw)
    return value, bool(floats)


def encode_batch(events: list[Event], **extra: object) -> bytes:
    """Version 1: gzip'd JSON, every column as it is (bundles carry this)."""
    return gzip_json({"w": WIRE_VERSION, "events": events_to_columns(events), **extra})


def encode_push(events: list[Event], *, level: int = ZSTD_LEVEL) -> bytes:
    """Version 2: a zstd frame, ``prev`` left out where the event before in the batch gives it."""
    columns = events_to_columns(events)
    columns["prev"] = _elided_prev(events)
    return zstandard.ZstdCompressor(level=level).compress(_json_bytes({"w": PUSH_WIRE_VERSION, "events": columns}))


@dataclass(frozen=True)
class PushBody:
    """A push ready to send: its events' ids in order (the hub answers in that order) and the body."""

    ids: list[str]
    body: bytes


class _Stored(msgspec.Struct, forbid_unknown_fields=True):
    """An event's stored canonical JSON, its ``data`` left as the bytes it is (never parsed)."""

    id: str
    case: str
    kind: str
    hlc: str
    at: str
    station: str
    actor: str
    data: msgspec.Raw
    v: int
    role: str = ""
    prev: str = ""


_STORED_ROWS = msgspec.json.Decoder(list[_Stored])
_ENCODER = msgspec.json.Encoder()


def encode_push_stored(texts: list[str], *, level: int = ZSTD_LEVEL) -> PushBody:
    """:func:`encode_push` of the events whose canonical JSON (``Event.to_json``) a station stored:
    the same events on the wire, made without an ``Event`` per row, each ``data`` copied as its
    bytes, and ``prev`` left out where it is the SHA-256 of the text before (the digest).

    Text that is not an event as this codec knows it (a field it does not know) goes the
    slower way, through ``Event``."""
    try:
        rows = _STORED_ROWS.decode(b"[" + ",".join(texts).encode("utf-8") + b"]")
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeEncodeError):
        events = [Event.from_stored_text(text) for text in texts]
        return PushBody([event.id for event in events], encode_push(events, level=level))
    digests = [hashlib.sha256(text.encode("utf-8")).hexdigest() for text in texts]
    columns: dict[str, list[Any]] = {column: [getattr(row, column) for row in rows] for column in COLUMNS}
    columns["prev"] = [None if index and prev and prev == digests[index - 1] else prev
                       for index, prev in enumerate(columns["prev"])]
    payload = _ENCODER.encode({"w": PUSH_WIRE_VERSION, "events": columns})
    return PushBody(columns["id"], zstandard.ZstdCompressor(level=level).compress(payload))


def decode_batch(body: bytes) -> tuple[list[Event], dict[str, Any]]:
    """Events of a batch (either version) and its other top-level keys; WireError if anything is malformed."""
    events, extra = decode_events(body)
    for event in events:
        if isinstance(event, Malformed):
            raise WireError(f"event #{event.index + 1}: {event.reason}")
    return events, extra  # type: ignore[return-value]


def decode_events(body: bytes, limit: int = MAX_BODY_BYTES) -> tuple[list[Event | Malformed], JsonObject]:
    """Each event of a batch (either version) checked on its own: a malformed one does not sink the rest."""
    if body[:4] == _ZSTD_MAGIC:
        raw = _inflate_zstd(body, limit)
        whole = parse_push_json(raw, MAX_BATCH_EVENTS)
        if whole is not None:
            return list(whole), {}  # every event keeps the contract: decoded and checked in one pass
        (payload, floats), version = _raw_json(raw), PUSH_WIRE_VERSION
    else:
        (payload, floats), version = _gunzip_json(body, limit), WIRE_VERSION
    if not isinstance(payload, dict) or payload.get("w") != version:
        raise WireError(f"batch must be an object with \"w\": {version}")
    count = _column_length(payload.get("events"))
    if count > MAX_BATCH_EVENTS:
        raise WireError(f"batch holds {count} events; at most {MAX_BATCH_EVENTS} are allowed")
    extra = {k: v for k, v in payload.items() if k not in ("w", "events")}
    whole = parse_columns(payload["events"], float_free=not floats, elided_prev=version == PUSH_WIRE_VERSION)
    if whole:
        return list(whole), extra  # every event keeps the contract: checked as one batch
    return _events_one_by_one(columns_to_dicts(payload["events"]), version, floats), extra


def _events_one_by_one(rows: list[JsonObject], version: int, floats: bool) -> list[Event | Malformed]:
    """Each event checked alone, so that each malformed one is answered with its own reason."""
    events: list[Event | Malformed] = []
    for index, raw in enumerate(rows):
        if version == PUSH_WIRE_VERSION and raw["prev"] is None:
            before = events[-1] if events else None
            if not isinstance(before, Event):
                events.append(Malformed(index, _plain_id(raw), "'prev' may be left out only right after "
                                                              "a well-formed event of the batch"))
                continue
            raw["prev"] = before.digest()
        try:
            events.append(parse_event(raw, float_free=not floats))  # Event.from_dict without its import per call
        except EventFormatError as exc:
            events.append(Malformed(index, _plain_id(raw), str(exc)))
    return events


def _plain_id(raw: JsonObject) -> str:
    """The id an event claims, if it is plain enough to repeat in an answer."""
    claimed = raw.get("id")
    if isinstance(claimed, str) and claimed.isascii() and claimed.isprintable() and len(claimed) <= 64:
        return claimed
    return ""


def _elided_prev(events: list[Event]) -> list[str | None]:
    """``None`` where ``prev`` is the digest of the event just before it in the batch."""
    elided: list[str | None] = []
    for index, event in enumerate(events):
        follows_previous = index > 0 and event.prev and event.prev == events[index - 1].digest()
        elided.append(None if follows_previous else event.prev)
    return elided


def _json_bytes(payload: object) -> bytes:
    try:
        return orjson.dumps(payload)
    except (orjson.JSONEncodeError, TypeError):  # an integer past 64 bits, a lone surrogate: rare, still sent
        return json.dumps(payload, separators=(",", ":")).encode("ascii")


def _raw_json(raw: bytes) -> tuple[JsonValue, bool]:
    """The JSON value of a zstd body's content, and whether a float may appear in it."""
    try:
        return _json_loads(raw)
    except msgspec.DecodeError:
        return _strict_json(raw), True
    except RecursionError as exc:
        raise WireError("body nests JSON too deeply") from exc


def _inflate_zstd(body: bytes, limit: int) -> bytes:
    """The frame's content, read in pieces so a small bomb never fills memory whatever it claims."""
    pieces: list[bytes] = []
    size = 0
    try:
        with zstandard.ZstdDecompressor().stream_reader(body) as reader:
            while piece := reader.read(1 << 20):
                size += len(piece)
                if size > limit:
                    raise WireError(f"body inflates to more than {limit} bytes")
                pieces.append(piece)
    except zstandard.ZstdError as exc:
        raise WireError(f"body is not a zstd frame: {exc}") from exc
    return b"".join(pieces)


def _strict_json(raw: bytes) -> JsonValue:
    """What msgspec refuses but the standard library reads (a lone surrogate escape), or the reason."""
    try:
        value: JsonValue = json.loads(raw.decode("utf-8"))
        return value
    except (UnicodeDecodeError, ValueError) as exc:  # ValueError: also an integer past Python's digit limit
        raise WireError(f"body is not UTF-8 JSON: {exc}") from exc
    except RecursionError as exc:
        raise WireError("body nests JSON too deeply") from exc
