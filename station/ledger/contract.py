"""The one typed contract of an event: its envelope and, per kind, its ``data``.

Everything that crosses a boundary goes through ``parse_event``: a push at the hub, a
bundle import, a pull at a station, and the station's own writes before they are
recorded. It checks types, ranges, patterns, string lengths, list sizes, dates with
offsets, that every text is valid Unicode, and the size of the whole event, and it says
what is wrong in one line. The checks are msgspec types (compiled, so the hub's ingest
stays fast: plain string tests stand in for regular expressions, which cost more than
the rest of the check); the event keeps the ``data`` exactly as it came, so its digest
is the sender's.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Literal, cast

import msgspec
from msgspec import Meta

from .events import SCHEMA_VERSION, Event, EventFormatError
from .rules import KINDS, MAX_EXTENSION_REASON, ROLES, STATUTORY_PAUSES

if TYPE_CHECKING:
    from .events import EventData

__all__ = ["parse_event", "check_event", "check_contract", "MAX_EVENT_BYTES", "LEVELS"]

LONE_SURROGATE = "text holds an invalid character (a lone surrogate): send valid UTF-8"
MAX_EVENT_BYTES = 64 * 1024
"""An event's canonical JSON may not be longer: the largest real one (a received with its
item, fields and materials) is a few kilobytes."""

LEVELS = ("village", "township", "county", "city")

_Text = Annotated[str, Meta(max_length=2000)]
_Short = Annotated[str, Meta(max_length=200)]
_Key = Annotated[str, Meta(min_length=1, max_length=64)]
"""A field or material key: the hub checks each against its own item definition."""
_Sha256 = Annotated[str, Meta(min_length=64, max_length=64)]
_Code = Annotated[str, Meta(min_length=12, max_length=12)]
_IsoDay = Annotated[str, Meta(min_length=10, max_length=10)]
_Days = Annotated[int, Meta(ge=0, le=3650)]
_FieldValue = str | Annotated[int, Meta(ge=-(10**15), le=10**15)] | Annotated[float, Meta(ge=-1e15, le=1e15)] | bool | None


class _Strict(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    pass


class _Data(_Strict, frozen=True):
    reason: _Text = ""
    """Every step may say why (the station asks for it on refusals, denials, withdrawals)."""


ENVELOPE_ID = Annotated[str, Meta(min_length=1, max_length=64)]
ENVELOPE_CASE = Annotated[str, Meta(min_length=25, max_length=25)]
ENVELOPE_HLC = Annotated[str, Meta(min_length=19, max_length=19)]
ENVELOPE_AT = Annotated[str, Meta(min_length=16, max_length=40)]
ENVELOPE_CODE = _Code
ENVELOPE_ACTOR = Annotated[str, Meta(min_length=1, max_length=64)]
ENVELOPE_PREV = Annotated[str, Meta(max_length=64)]
"""The envelope's field types, shared with the batch form of the contract (:mod:`.columns`)."""


class _Envelope(_Strict, frozen=True):
    id: ENVELOPE_ID
    case: ENVELOPE_CASE
    kind: Literal[KINDS]  # type: ignore[valid-type]
    hlc: ENVELOPE_HLC
    at: ENVELOPE_AT
    station: ENVELOPE_CODE
    actor: ENVELOPE_ACTOR
    data: dict[str, object]
    """Checked against its kind's schema in a second step (``_DATA``)."""
    v: Annotated[int, Meta(ge=1, le=SCHEMA_VERSION)]
    role: Literal[("", *ROLES)] = ""  # type: ignore[valid-type]
    prev: ENVELOPE_PREV = ""


class _ItemRef(_Strict, frozen=True):
    code: _Key
    version: Annotated[int, Meta(ge=1, le=1_000_000)]
    name: Annotated[str, Meta(min_length=1, max_length=100)]
    level: Literal[LEVELS]  # type: ignore[valid-type]
    promise_days: _Days
    instant: bool
    # the legal clock's facts (absent from cases filed before they existed)
    legal_days: _Days = 0
    max_extension_days: Annotated[int, Meta(ge=0, le=365)] = 0
    pauses: Annotated[list[Literal[STATUTORY_PAUSES]], Meta(max_length=len(STATUTORY_PAUSES))] = []  # type: ignore[valid-type]
    public_notice_days: Annotated[int, Meta(ge=0, le=365)] = 0


class _Applicant(_Strict, frozen=True):
    id_number: Annotated[str, Meta(min_length=18, max_length=18)]
    name: Annotated[str, Meta(min_length=1, max_length=50)]
    phone: Annotated[str, Meta(max_length=20)] | None = None


class _Material(_Strict, frozen=True):
    key: _Key
    name: _Short
    required: bool
    deferrable: bool
    defer_days: _Days | None = None
    status: Literal["received", "deferred", "missing"] = "missing"


class _Received(_Data, frozen=True, kw_only=True):
    item: _ItemRef
    applicant: _Applicant
    fields: Annotated[dict[_Key, _FieldValue], Meta(max_length=100)]
    materials: Annotated[list[_Material], Meta(max_length=50)]
    token_hash: _Sha256
    on_behalf: bool = False
    sms_opt_out: bool = False


class _Plain(_Data, frozen=True, kw_only=True):
    """Steps that carry nothing but, perhaps, a reason."""


class _Moved(_Data, frozen=True, kw_only=True):
    to: _Code | None = None


class _MaterialAsked(_Strict, frozen=True):
    key: _Key
    name: _Short


class _SupplementRequested(_Data, frozen=True, kw_only=True):
    materials: Annotated[list[_MaterialAsked], Meta(min_length=1, max_length=50)]


class _Supplemented(_Data, frozen=True, kw_only=True):
    materials: Annotated[list[_Key], Meta(max_length=50)] = []


class _Voided(_Data, frozen=True, kw_only=True):
    due: _IsoDay | None = None


class _Rated(_Data, frozen=True, kw_only=True):
    level: Annotated[int, Meta(ge=1, le=5)]
    comment: Annotated[str, Meta(max_length=500)] = ""


class _CalledBack(_Data, frozen=True, kw_only=True):
    note: _Text = ""
    result: _Short = ""


class _Noted(_Data, frozen=True, kw_only=True):
    note: _Text = ""


class _Attached(_Data, frozen=True, kw_only=True):
    material: _Key
    sha256: _Sha256
    size: Annotated[int, Meta(ge=0, le=1 << 31)]
    type: Annotated[str, Meta(max_length=64)]
    name: _Short = ""
    original_sha256: _Sha256 | None = None
    original_size: Annotated[int, Meta(ge=0, le=1 << 31)] | None = None


class _Extended(_Data, frozen=True, kw_only=True):
    days: Annotated[int, Meta(ge=1, le=365)]
    reason: Annotated[str, Meta(min_length=1, max_length=MAX_EXTENSION_REASON)]


class _Suspended(_Data, frozen=True, kw_only=True):
    reason: Literal[STATUTORY_PAUSES]  # type: ignore[valid-type]
    until: _IsoDay | None = None


_DATA: dict[str, type[_Data]] = {
    "extended": _Extended,
    "suspended": _Suspended,
    "resumed": _Data,
    "received": _Received,
    "forwarded": _Moved,
    "escalated": _Moved,
    "accepted": _Plain,
    "refused": _Plain,
    "approved": _Plain,
    "denied": _Plain,
    "delivered": _Plain,
    "withdrawn": _Plain,
    "supplement_requested": _SupplementRequested,
    "supplemented": _Supplemented,
    "voided": _Voided,
    "rated": _Rated,
    "called_back": _CalledBack,
    "noted": _Noted,
    "attached": _Attached,
}
assert set(_DATA) == set(KINDS), "every kind needs its data schema"


def parse_event(raw: object, *, float_free: bool = False) -> Event:
    """The event ``raw`` describes, checked against the contract; EventFormatError says why not.
    ``float_free``: the JSON ``raw`` was decoded from held no float (``Event.float_free``)."""
    try:
        envelope = msgspec.convert(raw, _Envelope, strict=True)
        data = msgspec.convert(envelope.data, _DATA[envelope.kind], strict=True)
    except msgspec.ValidationError as exc:
        raise EventFormatError(_readable(exc)) from None
    except UnicodeEncodeError:  # msgspec met a lone surrogate where it compares a name or a kind
        raise EventFormatError(LONE_SURROGATE) from None
    problems = _envelope_problems(envelope) + data_problems(data)
    if problems:
        raise EventFormatError("; ".join(problems))
    # the data exactly as sent (``raw`` is a mapping: it converted to the envelope)
    data_as_sent = cast("EventData", raw["data"] if isinstance(raw, dict) else envelope.data)  # decoded JSON
    event = Event(id=envelope.id, case=envelope.case, kind=envelope.kind, hlc=envelope.hlc, at=envelope.at,
                  station=envelope.station, actor=envelope.actor, data=data_as_sent, v=envelope.v,
                  role=envelope.role, prev=envelope.prev)
    if float_free:
        event.float_free()
    check_event(event)
    return event


def check_contract(event: Event) -> None:
    """``event`` as this process made it, held to the same contract as one from outside."""
    parse_event(event.to_dict())


def check_event(event: Event) -> None:
    """What the types cannot say: a real date with its offset, valid Unicode, a bounded size."""
    problems = []
    try:
        when = datetime.fromisoformat(event.at)
        if when.tzinfo is None:
            problems.append(f"'at' must carry its UTC offset: {event.at!r}")
    except ValueError:
        problems.append(f"'at' is not a date and time: {event.at!r}")
    due = event.data.get("due") if event.kind == "voided" else None
    if isinstance(due, str) and not _is_day(due):
        problems.append(f"'data.due' is not a date: {due!r}")
    until = event.data.get("until") if event.kind == "suspended" else None
    if isinstance(until, str) and not _is_day(until):
        problems.append(f"'data.until' is not a date: {until!r}")
    try:
        size = event.encoded_size()
    except UnicodeEncodeError:
        problems.append(LONE_SURROGATE)
    except ValueError as exc:  # a float that JSON cannot carry
        problems.append(f"a value cannot be written as JSON: {exc}")
    else:
        if size > MAX_EVENT_BYTES:
            problems.append(f"event is {size} bytes; at most {MAX_EVENT_BYTES} are allowed")
    if problems:
        raise EventFormatError("; ".join(problems))


SHA256_HEX = frozenset("0123456789abcdef")


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _sha256(text: str) -> bool:
    return len(text) == 64 and SHA256_HEX.issuperset(text)


def _envelope_problems(envelope: _Envelope) -> list[str]:
    checks = [
        (envelope.id.isascii() and envelope.id.isprintable() and " " not in envelope.id, "id",
         "ASCII letters, digits and _.:- only"),
        (_digits(envelope.case[:24]) and envelope.case[24] in "0123456789X", "case",
         "a 25-character case number without separators"),
        (_digits(envelope.hlc[:13]) and envelope.hlc[13] == "." and _digits(envelope.hlc[14:]), "hlc",
         "13 digits, a dot, 5 digits"),
        (_digits(envelope.station), "station", "a 12-digit station code"),
        (envelope.actor.isprintable(), "actor", "printable text"),
        (not envelope.prev or _sha256(envelope.prev), "prev", "empty or a SHA-256 in hex"),
    ]
    return [f"'{name}' must be {what}" for ok, name, what in checks if not ok]


def data_schema(kind: str) -> type[_Data]:
    """The type ``data`` of an event of ``kind`` is held to."""
    return _DATA[kind]


def data_problems(data: _Data) -> list[str]:
    problems = []
    for name in ("token_hash", "sha256", "original_sha256"):
        value = getattr(data, name, None)
        if value is not None and not _sha256(value):
            problems.append(f"'data.{name}' must be a SHA-256 in hex")
    applicant = getattr(data, "applicant", None)
    if applicant is not None and not (_digits(applicant.id_number[:17]) and applicant.id_number[17] in "0123456789X"):
        problems.append("'data.applicant.id_number' must be 18 characters: 17 digits and a digit or X")
    to = getattr(data, "to", None)
    if to is not None and not _digits(to):
        problems.append("'data.to' must be a 12-digit station code")
    return problems


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _readable(error: msgspec.ValidationError) -> str:
    # msgspec says "Expected `int`, got `str` - at `$.data.item.promise_days`"; drop the `$.`
    return str(error).replace("`$.", "`").replace("`$`", "the event")
