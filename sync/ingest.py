"""The hub's judgement of one incoming event: pure rules on top of the ledger.

The city hall store calls these inside its transaction; they read nothing and write
nothing. An event is accepted, rejected with a reason, or parked until its case arrives.
"Out of order for the state" is not a reason to reject: such an event is kept and the
fold marks it as a conflict. Only what ``step_problem`` calls forbidden is refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from station.ledger import CaseState, Event, step_problem
from station.topology import Topology

__all__ = ["Answer", "Decision", "judge", "authority_problem", "viewers_of", "ANSWER_STATUSES"]

ANSWER_STATUSES = ("accepted", "duplicate", "rejected", "parked")
Decision = Literal["accept", "park", "reject"]


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


def judge(state_before: CaseState | None, event: Event, topology: Topology) -> tuple[Decision, str | None]:
    """Accept, park or reject ``event`` given the case as folded from the events before it."""
    if state_before is None and event.kind != "received":
        return "park", None
    verdict = step_problem(state_before, event, topology)
    if verdict is not None and verdict.forbidden:
        return "reject", verdict.reason
    return "accept", None


def viewers_of(state: CaseState, topology: Topology) -> set[str]:
    """Every station that may see the case: origin, past and present handlers, their ancestors."""
    involved = {state.origin, *state.handlers}
    viewers = set(involved)
    for code in involved:
        viewers.update(topology.ancestors(code))
    return viewers
