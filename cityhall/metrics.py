"""Prometheus text exposition, written by hand: a handful of gauges and one counter."""
from __future__ import annotations

from .store import HubStore

__all__ = ["render_metrics"]


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
    ]
    return "\n".join(lines) + "\n"
