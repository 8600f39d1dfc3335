"""Prometheus text exposition, written by hand: a handful of gauges and one counter."""
from __future__ import annotations

from weakref import WeakKeyDictionary

from sync.chain import CHAIN_STATUSES

from .chainstore import CachedChainReports
from .revocation import all_revocations
from .store import HubStore

__all__ = ["render_metrics"]

_CHAIN_CACHES: WeakKeyDictionary[HubStore, CachedChainReports] = WeakKeyDictionary()


def _chain_lines(store: HubStore) -> list[str]:
    cache = _CHAIN_CACHES.setdefault(store, CachedChainReports(store.engine))
    lines = ["# HELP cityhall_station_chain_status Hash chain of each station's events: 1 for its current status "
             "(intact, gap = waiting for an event, broken = history changed at the station).",
             "# TYPE cityhall_station_chain_status gauge"]
    for report in cache.get():
        lines += [f'cityhall_station_chain_status{{station="{report.station}",status="{status}"}} '
                  f"{int(report.status == status)}" for status in CHAIN_STATUSES]
    return lines


def _revocation_lines(store: HubStore) -> list[str]:
    latest = {r.station: r for r in all_revocations(store.engine)}  # ordered by time: the last one wins
    lines = ["# HELP cityhall_station_key_revoked_at_seconds Unix time the station's last key was revoked "
             "(cityhall revoke: lost, stolen or dead PC).",
             "# TYPE cityhall_station_key_revoked_at_seconds gauge",
             *(f'cityhall_station_key_revoked_at_seconds{{station="{code}"}} {r.revoked_at:.3f}'
               for code, r in sorted(latest.items())),
             "# HELP cityhall_station_awaiting_new_key 1 while the station's enrolled key is revoked and no "
             "replacement is enrolled.",
             "# TYPE cityhall_station_awaiting_new_key gauge"]
    lines += [f'cityhall_station_awaiting_new_key{{station="{code}"}} '
              f"{int(store.enrolled_key_text(code) == r.public_key)}" for code, r in sorted(latest.items())]
    return lines


def _notice_lines(store: HubStore) -> list[str]:
    from .notify.outbox import status_counts

    counts = status_counts(store.engine)
    return ["# HELP cityhall_notices Text messages to citizens, by status (queued, sending, sent, failed, skipped).",
            "# TYPE cityhall_notices gauge",
            *(f'cityhall_notices{{status="{status}"}} {n}' for status, n in counts.items())]


def render_metrics(store: HubStore) -> str:
    parked = store.parked_by_station()
    lines = [
        "# HELP cityhall_parked_events Events waiting for their case to arrive, by sending station.",
        "# TYPE cityhall_parked_events gauge",
        *(f'cityhall_parked_events{{station="{code}"}} {n}' for code, n in sorted(parked.items())),
        "# HELP cityhall_station_last_contact_seconds Unix time of the last authenticated request.",
        "# TYPE cityhall_station_last_contact_seconds gauge",
        *(f'cityhall_station_last_contact_seconds{{station="{code}"}} {t:.3f}'
          for code, t in sorted(store.last_contact.items())),
        "# HELP cityhall_events_ingested_total Events accepted since this process started.",
        "# TYPE cityhall_events_ingested_total counter",
        f"cityhall_events_ingested_total {store.ingested}",
        "# HELP cityhall_events_stored Events held by the city hall.",
        "# TYPE cityhall_events_stored gauge",
        f"cityhall_events_stored {store.event_total()}",
        *_chain_lines(store),
        *_revocation_lines(store),
        *_notice_lines(store),
    ]
    return "\n".join(lines) + "\n"
