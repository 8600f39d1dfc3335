"""Station homes and processes for fault runs: real `station` commands, killed at will."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from collections.abc import Iterator
from contextlib import contextmanager

from station.home import StationHome
from station.lockbox import Credentials
from station.service import StationService, init_station
from station.store import connect_store, dbapi2
from tests.station.helpers import ALLOWANCE, example_fields

__all__ = ["make_home", "intake_command", "station_env", "integrity", "stored_case_numbers", "outbox_states",
           "STATION_BIN", "AGENT_PIN"]

STATION_BIN = str(Path(sys.executable).parent / "station")
AGENT_PIN = "1234"


def make_home(folder: Path, code: str, topology_file: Path, role: str = "agent") -> tuple[StationHome, str]:
    """A station home with one operator ``A01``; returns the home and its public key."""
    home = StationHome(folder / code)
    printed = init_station(home, code, topology_file)
    service = StationService(home)
    service.add_agent("A01", "王小丽", role, AGENT_PIN)
    service.close()
    return home, printed["public_key"]


def station_env(cityhall_url: str | None = None) -> dict[str, str]:
    env = os.environ | {"STATION_PIN": AGENT_PIN, "PYTHONUNBUFFERED": "1"}
    return env | ({"STATION_CITYHALL_URL": cityhall_url} if cityhall_url else {})


def intake_command(home: StationHome) -> list[str]:
    fields = [arg for key, value in example_fields(ALLOWANCE).items() for arg in ("--field", f"{key}={value}")]
    return [STATION_BIN, "--home", str(home.root), "--json", "intake", "--agent", "A01", "--item", ALLOWANCE,
            "--applicant-id", "11010519491231002X", "--applicant-name", "曾𠮷", "--phone", "13812345678",
            *fields, "--received", "id_and_hukou", "--received", "application_form", "--deferred", "bank_card_copy"]


def run_station(home: StationHome, *args: str, cityhall_url: str | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([STATION_BIN, "--home", str(home.root), "--json", *args], capture_output=True, text=True,
                          env=station_env(cityhall_url), timeout=timeout)


@contextmanager
def opened(home: StationHome) -> Iterator[dbapi2.Connection]:
    """A connection of its own to the encrypted store, unlocked with the operator's PIN as a command would."""
    service = StationService(home, credentials=Credentials(pin=AGENT_PIN))
    try:
        conn = connect_store(home.database, service.store_key())
    finally:
        service.close()
    try:
        yield conn
    finally:
        conn.close()


def integrity(home: StationHome) -> str:
    with opened(home) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def stored_case_numbers(home: StationHome) -> set[str]:
    with opened(home) as db:
        return {row[0] for row in db.execute("SELECT DISTINCT case_no FROM events")}


def outbox_states(home: StationHome) -> dict[str, int]:
    with opened(home) as db:
        return dict(db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
