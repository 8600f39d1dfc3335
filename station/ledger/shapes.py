"""The shapes of a case's parts, and of the ``data`` the fold and the rules read from each kind.

These are plain ``dict``s at run time (the fold builds and copies them as before); the types
say which keys they carry. The kinds' data shapes follow :mod:`.contract`'s Structs, which
check every event before it is recorded; a key the contract gives a default may be absent
from the data as sent, so those keys are not required here.
"""
# No ``from __future__ import annotations`` here: a TypedDict made from annotations that are
# strings compiles each of them into a ForwardRef, which doubled the cost of loading this module
# (loaded by the fold, so by every command that reads a case).
from typing import NotRequired, TypedDict

from forms.jsonvalue import JsonObject

__all__ = ["ItemFacts", "ApplicantFacts", "MaterialEntry", "DeferredEntry", "ExtensionEntry", "SuspensionEntry",
           "RatingEntry", "CallbackEntry", "NoteEntry", "AttachmentEntry", "ConflictEntry", "TimelineEntryData",
           "ReceivedData", "MaterialAsked", "SupplementRequestedData", "SupplementedData", "RatedData",
           "CalledBackData", "NotedData", "AttachedData", "ExtendedData", "SuspendedData"]


class ItemFacts(TypedDict, total=False):
    """The item a case was filed under, as the ``received`` event carries it (empty before)."""

    code: str
    version: int
    name: str
    level: str
    promise_days: int
    instant: bool
    legal_days: int
    max_extension_days: int
    pauses: list[str]
    public_notice_days: int


class ApplicantFacts(TypedDict, total=False):
    id_number: str
    name: str
    phone: str | None


class MaterialEntry(TypedDict):
    key: str
    name: str
    required: bool
    deferrable: bool
    defer_days: NotRequired[int | None]
    status: NotRequired[str]


class DeferredEntry(TypedDict):
    """A material accepted as missing (容缺)."""

    name: str
    since: str
    defer_days: int | None


class ExtensionEntry(TypedDict):
    """The one extension (延期)."""

    days: int
    reason: str
    on: str
    by: str


class SuspensionEntry(TypedDict):
    """A statutory pause since acceptance (Art. 45); ``ended`` is None while it lasts."""

    reason: str
    since: str
    until: str | None
    ended: str | None


class RatingEntry(TypedDict):
    level: int
    comment: str
    by: str
    station: str
    at: str


class CallbackEntry(TypedDict):
    note: str
    result: str
    by: str
    station: str
    at: str


class NoteEntry(TypedDict):
    note: str
    by: str
    station: str
    at: str


class AttachmentEntry(TypedDict):
    material: str | None
    sha256: str | None
    size: int | None
    type: str | None
    name: str | None


class ConflictEntry(TypedDict):
    event: str
    kind: str
    station: str
    actor: str
    at: str
    reason: str


class TimelineEntryData(TypedDict):
    id: str
    kind: str
    label: str
    at: str
    station: str
    actor: str
    role: str
    hlc: str
    data: JsonObject
    """The keys of the event's data a person reads in the timeline (reason, materials, ...)."""
    conflict: str | None


class ReceivedData(TypedDict, total=False):
    item: ItemFacts
    applicant: ApplicantFacts
    fields: JsonObject
    materials: list[MaterialEntry]
    token_hash: str
    reason: str
    on_behalf: bool
    sms_opt_out: bool


class MaterialAsked(TypedDict):
    key: str
    name: str


class SupplementRequestedData(TypedDict, total=False):
    materials: list[MaterialAsked | str]
    """``{key, name}`` per material, as the contract checks; the fold and the hub also read a bare key."""
    reason: str


class SupplementedData(TypedDict, total=False):
    materials: list[str]
    reason: str


class RatedData(TypedDict, total=False):
    level: int
    comment: str
    reason: str


class CalledBackData(TypedDict, total=False):
    note: str
    result: str
    reason: str


class NotedData(TypedDict, total=False):
    note: str
    reason: str


class AttachedData(TypedDict, total=False):
    material: str
    sha256: str
    size: int
    type: str
    name: str
    original_sha256: str | None
    original_size: int | None
    reason: str


class ExtendedData(TypedDict, total=False):
    days: int
    reason: str


class SuspendedData(TypedDict, total=False):
    reason: str
    until: str | None
