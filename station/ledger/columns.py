"""The event contract applied to a whole column-major batch at once: the hub's fast path.

``parse_event`` checks one event: a msgspec conversion of its envelope, string tests on
its fields, a conversion of its ``data``. A push holds thousands of events, and done one
by one those steps were a quarter of the hub's work per event. Here the envelope of every
event is converted in one msgspec call over the columns, and the string tests run once
over each column joined (a property of every character holds for the whole text exactly
when it holds for each part). What cannot be batched (each ``data`` against its kind,
the date, the size) still runs per event, through the same functions ``parse_event`` uses.

The path is all or nothing: ``parse_columns`` answers only for a batch in which every
event keeps the contract, and returns None otherwise, so that the caller checks the batch
event by event and says what is wrong with which one, in the words of ``parse_event``.
For a batch it answers, its events equal those ``parse_event`` makes (a property test
holds the two together).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import msgspec
from msgspec import Meta

from .contract import (ENVELOPE_ACTOR, ENVELOPE_AT, ENVELOPE_CASE, ENVELOPE_CODE, ENVELOPE_HLC, ENVELOPE_ID,
                       ENVELOPE_PREV, SHA256_HEX, check_event, data_problems, data_schema)
from .events import SCHEMA_VERSION, Event
from .rules import KINDS, ROLES

if TYPE_CHECKING:
    from .events import EventData

__all__ = ["parse_columns", "parse_push_json"]


class _Columns(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The envelope's types, per column: ``_Envelope`` of :mod:`.contract` with ``list[...]`` around each."""

    id: list[ENVELOPE_ID]
    case: list[ENVELOPE_CASE]
    kind: list[Literal[KINDS]]  # type: ignore[valid-type]
    hlc: list[ENVELOPE_HLC]
    at: list[ENVELOPE_AT]
    station: list[ENVELOPE_CODE]
    actor: list[ENVELOPE_ACTOR]
    data: list[dict[str, object]]
    v: list[Annotated[int, Meta(ge=1, le=SCHEMA_VERSION)]]
    role: list[Literal[("", *ROLES)]]  # type: ignore[valid-type]
    prev: list[ENVELOPE_PREV | None]
    """``None``: the digest of the event just before (a push leaves it out there)."""


class _Push(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A push body of version 2 with nothing but its events."""

    w: Literal[2]
    events: _Columns


def parse_columns(columns: object, *, float_free: bool, elided_prev: bool) -> list[Event] | None:
    """Every event of a column-major batch, checked; None when any breaks the contract: check
    that batch event by event instead. ``elided_prev``: a ``prev`` of ``None`` stands for the
    digest of the event before (a push's wire); without it, or on the first event, it breaks
    the contract."""
    try:
        batch = msgspec.convert(columns, _Columns, strict=True)
    except (msgspec.ValidationError, UnicodeEncodeError):  # a lone surrogate where a name is compared
        return None
    return _checked(batch, float_free, elided_prev)


def parse_push_json(raw: bytes, max_events: int) -> list[Event] | None:
    """``parse_columns`` of a push's JSON (``{"w": 2, "events": columns}``, ``prev`` left out where
    it may be), decoded straight into the columns' types in one pass; None for any body that is
    not such a push of at most ``max_events`` events keeping the contract, which the caller
    then reads the slower way that says what is wrong."""
    floats: list[str] = []

    def as_float(text: str) -> float:  # only ``data`` holds untyped values: a float there is seen here
        floats.append(text)
        return float(text)

    try:
        push = msgspec.json.Decoder(_Push, float_hook=as_float).decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeEncodeError, RecursionError):
        return None
    if len(push.events.id) > max_events:
        return None
    return _checked(push.events, not floats, elided_prev=True)


def _checked(batch: _Columns, float_free: bool, elided_prev: bool) -> list[Event] | None:
    if not _same_length(batch) or not _strings_keep_contract(batch):
        return None
    try:
        datas = [msgspec.convert(data, data_schema(kind), strict=True) for data, kind in zip(batch.data, batch.kind, strict=True)]
    except (msgspec.ValidationError, UnicodeEncodeError):  # a lone surrogate where a name is compared
        return None
    if any(data_problems(data) for data in datas):
        return None
    return _events(batch, float_free, elided_prev)


def _same_length(batch: _Columns) -> bool:
    return len({len(getattr(batch, name)) for name in _Columns.__struct_fields__}) == 1


def _events(batch: _Columns, float_free: bool, elided_prev: bool) -> list[Event] | None:
    events: list[Event] = []
    for row in zip(batch.id, batch.case, batch.kind, batch.hlc, batch.at, batch.station, batch.actor, batch.data,
                   batch.v, batch.role, batch.prev, strict=True):
        prev = row[10]
        if prev is None:
            if not (elided_prev and events):
                return None
            prev = events[-1].digest()
        data: EventData = row[7]  # type: ignore[assignment]  # held to its kind's schema above
        event = Event.from_checked({"id": row[0], "case": row[1], "kind": row[2], "hlc": row[3], "at": row[4],
                                    "station": row[5], "actor": row[6], "data": data, "v": row[8], "role": row[9],
                                    "prev": prev}, float_free=float_free)
        try:
            check_event(event)
        except ValueError:
            return None
        events.append(event)
    return events


def _strings_keep_contract(batch: _Columns) -> bool:
    """``envelope_problems`` of :mod:`.contract` for the whole batch at once: True exactly when it
    finds nothing in any event (the column types hold every length these tests rely on)."""
    ids, actors, stations = "".join(batch.id), "".join(batch.actor), "".join(batch.station)
    cases, hlcs = "".join(batch.case), "".join(batch.hlc)
    prevs = [p for p in batch.prev if p]
    count = len(batch.id)
    return (ids.isascii() and ids.isprintable() and " " not in ids
            and actors.isprintable()
            and _ascii_digits(stations)
            and _case_numbers(cases)
            and hlcs[13::19] == "." * count and hlcs.count(".") == count and _ascii_digits(hlcs.replace(".", ""))
            and all(len(p) == 64 for p in prevs) and SHA256_HEX.issuperset("".join(prevs)))


def _case_numbers(cases: str) -> bool:
    """Each 25 characters (the type's length): 24 digits, then a digit or X."""
    return cases.count("X") == cases[24::25].count("X") and _ascii_digits(cases.replace("X", ""))


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()
