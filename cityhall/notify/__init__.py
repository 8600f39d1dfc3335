"""Text messages to the citizen when the case moves (办件短信).

The hub's ingest calls :func:`record_ingested` inside the transaction that stores a
batch's events, so a notice row exists exactly when its event does. The sender thread
(:class:`NoticeSender`) hands queued rows to the configured provider. Nothing here runs
when ``stations.toml`` has no ``[notify]`` provider.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from station.ledger import Event
from station.workdays import WorkCalendar

from .config import NotifyConfig, NotifyConfigError, load_notify_config, parse_notify_config

__all__ = ["NotifyConfig", "NotifyConfigError", "load_notify_config", "parse_notify_config", "attach",
           "record_ingested", "setup_of", "NotifySetup"]


@dataclass(frozen=True)
class NotifySetup:
    config: NotifyConfig
    calendar: Callable[[], WorkCalendar]
    """The hub's working-day calendar (built-in tables plus published ones)."""


_SETUPS: WeakKeyDictionary[Any, NotifySetup] = WeakKeyDictionary()


def attach(store: Any, config: NotifyConfig, calendar: Callable[[], WorkCalendar]) -> NotifySetup:
    """Make ``store``'s ingest queue texts under ``config`` from now on."""
    setup = NotifySetup(config, calendar)
    _SETUPS[store] = setup
    return setup


def setup_of(store: Any) -> NotifySetup | None:
    return _SETUPS.get(store)


def record_ingested(conn: Any, store: Any, stored: Iterable[tuple[int, Event]], entries: dict[str, Any],
                    now: float) -> int:
    """Queue the texts this batch's stored events call for, in the batch's own transaction.

    ``stored`` is (seq, event) for every event the batch stored; ``entries`` maps case
    numbers to the ingest's case entries, whose ``state`` is the case after the batch.
    """
    setup = _SETUPS.get(store)
    stored = list(stored)
    if setup is None or not stored:
        return 0
    from .outbox import store_drafts
    from .steps import drafts_for_events

    states = {case_no: entry.state for case_no, entry in entries.items()}
    drafts = drafts_for_events(stored, states, store.topology, setup.calendar())
    refused = [e.case for _, e in stored if e.kind == "received" and e.data.get("sms_opt_out") is True]
    return store_drafts(conn, drafts, setup.config, store.topology.cityhall.public_url, now, refused)
