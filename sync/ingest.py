"""The hub's judgement of one incoming event: pure rules on top of the ledger.

The city hall store calls these inside its transaction; they read nothing and write
nothing. An event is accepted, rejected with a reason, or parked until its case arrives.
"Out of order for the state" is not a reason to reject: such an event is kept and the
fold marks it as a conflict. What ``step_problem`` calls forbidden is refused, and so is
a ``received`` whose item is not the hub's own published version of it: the code, level,
limits and materials come from the hub's catalogue, never from what the event claims.
"""
from __future__ import annotations

import functools
import math
import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, cast

from forms.catalogue import UnknownItem
from station.ledger import CITIZEN, CaseState, Event, Verdict, step_problem
from station.ledger.hlc import MAX_COUNTER, MAX_PHYSICAL_MS, format_hlc, parse_hlc
from station.topology import Topology

if TYPE_CHECKING:
    from forms import Catalogue, ServiceItem
    from station.ledger.events import EventData
    from station.ledger.shapes import ItemFacts, MaterialEntry, ReceivedData

__all__ = ["Answer", "Decision", "Judgement", "judge", "authority_problem", "clock_problem", "item_problem", "viewers_of",
           "ANSWER_STATUSES", "MAX_AHEAD_S"]

ANSWER_STATUSES = ("accepted", "duplicate", "rejected", "parked")
Decision = Literal["accept", "park", "reject"]


@dataclass(frozen=True, slots=True)
class Judgement:
    """The hub's decision on one event, and the step verdict it rests on (``apply_judged`` reuses it)."""

    decision: Decision
    reason: str | None = None
    verdict: Verdict | None = None


@dataclass
class Answer:
    """What the hub says about one pushed event, after its commit."""

    id: str
    status: str
    reason: str | None = None

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "status": self.status} | ({"reason": self.reason} if self.reason else {})


def authority_problem(event: Event, signer: str, topology: Topology) -> str | None:
    """Why ``signer`` may not hand in ``event`` at all: a station speaks only for itself."""
    if event.station != signer:
        return f"event {event.id} was recorded at station {event.station}; station {signer} cannot submit it"
    if event.station not in topology and event.station != topology.cityhall.code:
        return f"station {event.station} is not in the city hall's stations.toml"
    return None


MAX_AHEAD_S = 366 * 86_400
"""How far ahead of the city hall's clock an event may be stamped. A village PC's clock is often wrong,
and a station stamps its events by it, so the bound is wide: a year. Past it, an event would sort after
everything anyone records later and carry every clock that pulls it along (an HLC of the year 2286)."""


def clock_problem(event: Event, now_s: float) -> str | None:
    """Why ``event``'s stamp is too far ahead of the hub's clock at ``now_s``; None when it is not."""
    if event.hlc <= _latest_stamp(now_s):
        return None
    ahead_s = parse_hlc(event.hlc)[0] / 1000 - now_s
    return f"事件 {event.id} 的时间比市级平台快了 {ahead_s / 86_400:,.0f} 天：请校准本站电脑时钟后再记录"


@functools.lru_cache(maxsize=4)
def _latest_stamp(now_s: float) -> str:
    """The latest HLC an event may carry at ``now_s``. The contract holds every ``hlc`` to 13 digits,
    a dot and 5 digits, so the text compares as the time does: one comparison an event, with the
    bound made once a push (its events are all judged at the same ``now_s``)."""
    return format_hlc(min(math.floor((now_s + MAX_AHEAD_S) * 1000), MAX_PHYSICAL_MS), MAX_COUNTER)


def judge(state_before: CaseState | None, event: Event, topology: Topology,
          catalogue: Catalogue) -> Judgement:
    """Accept, park or reject ``event`` given the case as folded from the events before it.

    The hub records a citizen's own events (a rating) itself: those must be valid steps
    now, or they are refused, so two ratings racing each other store one.
    """
    if state_before is None and event.kind != "received":
        return _PARK
    if event.kind == "received":
        problem = item_problem(event.data, catalogue)
        if problem:
            return Judgement("reject", problem)
    verdict = step_problem(state_before, event, topology)
    if verdict is None:
        return _ACCEPT
    if verdict.forbidden or event.actor == CITIZEN:
        return Judgement("reject", verdict.reason, verdict)
    return Judgement("accept", None, verdict)


_PARK, _ACCEPT = Judgement("park"), Judgement("accept")
"""The two judgements that carry nothing of their event (a judgement is frozen: one serves every event)."""


_ITEM_FACTS: tuple[Literal["name", "level", "promise_days", "instant"], ...] = ("name", "level", "promise_days", "instant")
_CLOCK_FACTS: tuple[Literal["legal_days", "max_extension_days", "pauses", "public_notice_days"], ...] = (
    "legal_days", "max_extension_days", "pauses", "public_notice_days")
"""Facts the legal clock's rules read from the case (optional: cases filed before they existed lack them)."""


def _clock_fact(item: ServiceItem, fact: str) -> object:
    value = getattr(item, fact)
    return list(value) if isinstance(value, tuple) else value


def item_problem(received: EventData, catalogue: Catalogue) -> str | None:
    """Why the item a ``received`` was filed under is not the catalogue's own; None when it is."""
    data = cast("ReceivedData", received)  # held to the contract's _Received already
    claimed: ItemFacts = data["item"]
    try:
        item = catalogue.get(claimed["code"], version=claimed["version"])
    except UnknownItem:
        return f"事项 {claimed['code']} 第{claimed['version']}版不在市级事项目录中"
    wrong: list[str] = [fact for fact in _ITEM_FACTS if claimed[fact] != getattr(item, fact)]
    wrong += [fact for fact in _CLOCK_FACTS if fact in claimed and claimed[fact] != _clock_fact(item, fact)]
    if wrong:
        return f"事项 {item.code} 第{item.version}版的{'、'.join(wrong)}与市级目录不符"
    return _materials_problem(data["materials"], item) or _fields_problem(data["fields"], item)


_ENTRY = operator.itemgetter("key", "name", "required", "deferrable", "defer_days", "status")
_KEY = operator.itemgetter("key")


def _materials_problem(materials: list[MaterialEntry], item: ServiceItem) -> str | None:
    if _listed_as_the_catalogue_allows(materials, item):
        return None
    return _materials_reason(materials, item)


def _listed_as_the_catalogue_allows(materials: list[MaterialEntry], item: ServiceItem) -> bool:
    """The common case in a few set operations: every entry is one ``item.material_entries`` holds,
    no key repeats and every required one is there. False is no verdict: ``_materials_reason``
    then looks (an entry without ``defer_days`` or ``status`` always goes there)."""
    try:
        entries, keys = set(map(_ENTRY, materials)), set(map(_KEY, materials))
    except (KeyError, TypeError):  # a field left out, a value that cannot be hashed
        return False
    return len(keys) == len(materials) and entries <= item.material_entries and item.required_keys <= keys


def _materials_reason(materials: list[MaterialEntry], item: ServiceItem) -> str | None:
    """The first thing wrong with the material list, as a reason for the station; None when nothing is."""
    listed = item.materials_by_key
    keys = [m["key"] for m in materials]
    given = set(keys)
    unknown = sorted(given.difference(listed))
    if unknown or len(keys) != len(given):
        return f"材料清单与“{item.name}”第{item.version}版不符：{'、'.join(unknown) or '材料重复'}"
    absent = [m.name for m in item.materials if m.required and m.key not in given]
    if absent:
        return f"必要材料未列出：{'、'.join(absent)}"
    for material in materials:
        official = listed[material["key"]]
        if (material["name"], material["required"], material["deferrable"], material.get("defer_days")) != (
                official.name, official.required, official.deferrable, official.defer_days):
            return f"材料“{official.name}”的名称、必交、容缺或补交期限与市级目录不符"
        if material.get("status") == "deferred" and not official.deferrable:
            return f"材料“{official.name}”不能容缺"
        if material.get("status") == "missing" and official.required:
            return f"必要材料“{official.name}”未收，不能收件"
    return None


def _fields_problem(fields: EventData, item: ServiceItem) -> str | None:
    if item.field_keys.issuperset(fields):
        return None
    unknown = sorted(set(fields).difference(item.field_keys))
    return f"“{item.name}”没有这些字段：{'、'.join(unknown)}"


def viewers_of(state: CaseState, topology: Topology) -> frozenset[str]:
    """Every station that may see the case: origin, past and present handlers, their ancestors."""
    return _viewers(topology, state.origin, tuple(state.handlers))


@functools.lru_cache(maxsize=4096)
def _viewers(topology: Topology, origin: str, handlers: tuple[str, ...]) -> frozenset[str]:
    """``viewers_of`` remembered for its stations: a topology never changes once loaded (it keeps its
    own ``ancestors`` too), and a case's viewers change only when its handlers do."""
    involved = {origin, *handlers}
    viewers = set(involved)
    for code in involved:
        viewers.update(topology.ancestors(code))
    return frozenset(viewers)
