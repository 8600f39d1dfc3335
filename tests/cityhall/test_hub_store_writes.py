"""What one push writes besides its events, on a real SQLite file."""
from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from cityhall import db
from cityhall.app import HubSettings, create_app
from station.keys import public_key_text
from tests.support.events import sample_events
from tests.support.hub import topology_for

VILLAGE = "420115102203"


def test_a_stations_last_contact_is_stored_at_most_once_a_minute_and_always_shown_live(tmp_path: Path) -> None:
    store = create_app(HubSettings(f"sqlite:///{tmp_path / 'hub.db'}", topology_for(tmp_path, 1))).state.store
    store.enroll(VILLAGE, public_key_text(Ed25519PrivateKey.generate()))
    events = sample_events(6)

    def stored_contact() -> float | None:
        with store.engine.connect() as conn:
            return conn.execute(select(db.stations.c.last_contact).where(db.stations.c.code == VILLAGE)).scalar()

    for pair, now in zip((events[:2], events[2:4], events[4:]), (1000.0, 1059.0, 1060.0), strict=True):
        assert {a.status for a in store.ingest(pair, VILLAGE, now)} == {"accepted"}
        store.touch(VILLAGE, now)  # what every authenticated request does (``/metrics`` reads it)
        assert store.last_contact[VILLAGE] == now
        assert stored_contact() == (1000.0 if now < 1060.0 else 1060.0)
    store.engine.dispose()
