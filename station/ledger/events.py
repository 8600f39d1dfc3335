"""The event envelope: the only thing that syncs.

Events are immutable facts. ``id`` is a ULID made where the event happens, ``hlc``
orders it, ``at`` is the local wall time with its offset (for people), ``role`` is the
operator's role at that station, ``prev`` chains the station's own events by hash.
"""
from __future__ import annotations

import hashlib
import json
import operator
from functools import cached_property
from collections.abc import Mapping
from typing import TYPE_CHECKING, NotRequired, TypeAlias, TypedDict

from forms.records import FrozenRecord

if TYPE_CHECKING:
    from forms.jsonvalue import JsonValue

__all__ = ["Event", "EventData", "StoredEvent", "EventFormatError", "new_event_id", "canonical_json",
           "SCHEMA_VERSION", "CITIZEN"]

SCHEMA_VERSION = 1
CITIZEN = "citizen"
"""The actor of events a citizen records through the tracking page."""


EventData: TypeAlias = "dict[str, JsonValue]"
"""An event's ``data``: JSON as its sender wrote it, held to :mod:`.contract`'s per-kind types
before it is recorded and kept exactly as sent (its digest is the sender's). The fold and the
rules read it through :mod:`.shapes`, the contract's per-kind shapes."""


class StoredEvent(TypedDict):
    """An event as the stores keep it: the canonical JSON of :meth:`Event.to_json`, decoded."""

    id: str
    case: str
    kind: str
    hlc: str
    at: str
    station: str
    actor: str
    data: EventData
    v: int
    role: NotRequired[str]
    prev: NotRequired[str]


class EventFormatError(ValueError):
    """An event that is not shaped like one; the message lists every problem."""


def new_event_id() -> str:
    """A ULID: unique without coordination and sortable by creation time."""
    from ulid import ULID  # loaded on first use: it costs the app's start-up 20 ms

    return str(ULID())


class Event(FrozenRecord):
    """One event; equal to another with the same fields, and never changed once made.

    A plain class, not a dataclass (:mod:`forms.records`): its instances keep their fields in
    ``__dict__``, beside the canonical JSON and digest cached there once made. ``prev``: SHA-256
    of the previous event this station recorded (its hash chain).
    """

    _fields = ("id", "case", "kind", "hlc", "at", "station", "actor", "data", "v", "role", "prev")

    id: str
    case: str
    kind: str
    hlc: str
    at: str
    station: str
    actor: str
    data: EventData
    v: int
    role: str
    prev: str

    def __init__(self, id: str, case: str, kind: str, hlc: str, at: str, station: str, actor: str,  # noqa: A002
                 data: EventData | None = None, v: int = SCHEMA_VERSION, role: str = "", prev: str = "") -> None:
        self.__dict__.update(id=id, case=case, kind=kind, hlc=hlc, at=at, station=station, actor=actor,
                             data={} if data is None else data, v=v, role=role, prev=prev)

    @property
    def sort_key(self) -> tuple[str, str, str]:
        """The ledger's order: by (hlc, id); the station breaks a tie of two stations' equal ids."""
        return (self.hlc, self.id, self.station)

    @property
    def day(self) -> str:
        """The local date of ``at`` (ISO), the date people see on paper."""
        return self.at[:10]

    def replace(self, **changes: object) -> Event:
        """This event with ``changes`` to its fields: a new event (its canonical JSON and digest made
        afresh), as ``dataclasses.replace`` made it."""
        return Event(**(self._shallow() | changes))  # type: ignore[arg-type]  # the fields, by name

    def to_dict(self) -> dict[str, object]:
        """The fields, ``data`` copied all the way down (a caller may change the copy)."""
        import copy  # only to check an event made in code against the contract

        return copy.deepcopy(self._shallow())

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, no spaces): what is stored and what ``digest`` hashes."""
        return self._canonical_json

    @cached_property
    def _canonical_json(self) -> str:
        # made once per event (the hub stores and hashes each)
        return canonical_json(self._shallow())

    def _shallow(self) -> dict[str, object]:
        # a shallow dict: asdict's deep copy of ``data`` cost the hub most of its ingest time
        return dict(zip(_FIELDS, _field_values(self), strict=False))

    def float_free(self) -> Event:
        """This event, known to hold no float (its decoder met none): its canonical JSON is
        made without searching it for floats, the larger part of that work."""
        if "_canonical_json" not in self.__dict__:
            self.__dict__["_canonical_json"] = canonical_json(self._shallow(), float_free=True)
        return self

    def digest(self) -> str:
        """Content hash; the next event of the same station carries it as ``prev``."""
        return self._digest

    @cached_property
    def _digest(self) -> str:
        # made once per event: the hub asks twice (the next event's elided ``prev``, the chain link)
        return hashlib.sha256(self._canonical_json.encode("utf-8")).hexdigest()

    def encoded_size(self) -> int:
        """Bytes of ``to_json`` in UTF-8 (what the contract bounds); UnicodeEncodeError for a lone surrogate."""
        return self._encoded_size

    @cached_property
    def _encoded_size(self) -> int:
        return len(self._canonical_json.encode("utf-8"))

    @property
    def identity(self) -> tuple[str, str]:
        """What makes an event itself: its station and its id (nothing another station sends can collide)."""
        return (self.station, self.id)

    @classmethod
    def from_dict(cls, raw: object, *, float_free: bool = False) -> Event:
        """An event from outside (a push, a bundle, a pull), checked against the ledger's contract;
        ``float_free``: its JSON decoder met no float in it."""
        from .contract import parse_event

        return parse_event(raw, float_free=float_free)

    @classmethod
    def from_stored_text(cls, text: str) -> Event:
        """An event from the canonical JSON this process's store wrote (``to_json``): the
        text is kept as the event's canonical form, not made again (unless it predates a
        field, which then appears with its default in the canonical form)."""
        import orjson

        raw = orjson.loads(text)
        event = cls.from_stored(raw)
        if raw.keys() == _FIELD_SET:
            event.__dict__["_canonical_json"] = text
        return event

    @classmethod
    def from_checked(cls, fields: StoredEvent, *, float_free: bool) -> Event:
        """An event of every field, just held to the contract; ``float_free``: its JSON decoder met
        no float in it, so its canonical JSON is made now from ``fields`` themselves (the same
        mapping ``_shallow`` would build again)."""
        event = cls.from_stored(fields)
        if not float_free:
            return event
        utf8 = _fast_canonical_json(fields, float_free=True)
        if utf8 is None:  # the standard library's text (a lone surrogate, which the contract refuses)
            return event.float_free()
        # the canonical text's own UTF-8: hashed and measured as it is (both asked of every event)
        event.__dict__.update(_canonical_json=utf8.decode("utf-8"), _digest=hashlib.sha256(utf8).hexdigest(),
                              _encoded_size=len(utf8))
        return event

    @classmethod
    def from_stored(cls, raw: StoredEvent) -> Event:
        """An event this process's own store wrote after checking it: no checks again.

        A stored event with every field (what ``to_json`` writes) fills the instance's fields
        at once, without a call of ``__init__``: that was most of the cost of reading a push batch.
        Only a mapping of exactly the fields goes that way: any other key (``_digest`` say) would
        land beside the cached canonical JSON and digest and pass for them."""
        if raw.keys() == _FIELD_SET:
            event = object.__new__(cls)
            event.__dict__.update(raw)
            return event
        return cls(
            id=raw["id"], case=raw["case"], kind=raw["kind"], hlc=raw["hlc"], at=raw["at"],
            station=raw["station"], actor=raw["actor"], data=raw["data"], v=raw["v"],
            role=raw.get("role", ""), prev=raw.get("prev", ""),
        )


_FIELDS = Event._fields
_FIELD_SET = frozenset(_FIELDS)
_field_values = operator.attrgetter(*_FIELDS)


def canonical_json(value: Mapping[str, object], *, float_free: bool = False) -> str:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)``, byte for byte.

    Every stored digest was made by that call, so its output is the definition; orjson
    gives the same text ten times faster for everything but floats (``1e-05`` comes out
    as ``0.00001``), integers past 64 bits, lone surrogates and non-string keys, which
    take the standard library's path. ``float_free``: the caller knows ``value`` holds no
    float (its JSON decoder met none), so it is not searched for one.
    """
    utf8 = _fast_canonical_json(value, float_free=float_free)
    if utf8 is not None:
        return utf8.decode("utf-8")
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _fast_canonical_json(value: Mapping[str, object], *, float_free: bool) -> bytes | None:
    """``canonical_json`` in UTF-8 from orjson; None where only the standard library gives it."""
    import orjson  # loaded on first use: a read-only command never hashes an event

    if float_free or not _holds_float(value):
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except (orjson.JSONEncodeError, TypeError):
            pass
    return None


def _holds_float(container: Mapping[str, object]) -> bool:
    stack: list[Mapping[str, object] | list[object] | tuple[object, ...]] = [container]
    while stack:
        node = stack.pop()
        for item in node.values() if isinstance(node, dict) else node:
            if isinstance(item, (dict, list, tuple)):
                stack.append(item)
            elif isinstance(item, float):
                return True
    return False
