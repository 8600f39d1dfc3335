"""The city hall's side of sealed bundles: its key, the stations' keys, what it sends and what it opens."""
from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import inspect, select

from cityhall import db
from cityhall.bundles import hub_private_key, hub_public_key
from cityhall.cli import main as cityhall_main
from cityhall.db import MIGRATIONS, make_engine, migrate
from cityhall.store import enroll_station
from station.enckey import encryption_public, known_keys
from station.keyseal import public_text
from sync.sealed_bundle import Recipient, write_sealed_bundle
from sync.signing import signed_headers
from tests.hostile.conftest import fresh_pg_database
from tests.support.demo import COUNTY, TOWNSHIP, VILLAGE, VILLAGE_2
from tests.support.hub import file_case

from .conftest import World

_KEY = "Zk9mRk9tT2JqS2V5S2V5S2V5S2V5S2V5S2V5S2V5S2U"


def _station_key(engine: object, code: str) -> str | None:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return conn.execute(select(db.stations.c.encryption_key).where(db.stations.c.code == code)).scalar()


def test_one_sync_brings_each_station_the_keys_its_bundles_need(world: World) -> None:
    engine = world.store.engine
    for code, site in world.sites.items():
        assert _station_key(engine, code) == encryption_public(site.service.home.root)  # published by its sync
    village = known_keys(world.sites[VILLAGE].service.store)
    assert village.hub == hub_public_key(engine)
    assert village.stations[TOWNSHIP] == encryption_public(world.sites[TOWNSHIP].service.home.root)
    assert VILLAGE_2 not in village.stations and COUNTY not in village.stations  # a sibling; not enrolled
    township = known_keys(world.sites[TOWNSHIP].service.store)
    assert set(township.stations) == {VILLAGE, VILLAGE_2}  # the villages below it


def test_a_bundle_not_sealed_to_the_city_hall_is_refused_with_400(world: World) -> None:
    village, township = world.sites[VILLAGE], world.sites[TOWNSHIP]
    file_case(village.service, village.operator)
    only_township = [Recipient(TOWNSHIP, encryption_public(township.service.home.root) or "")]
    body = write_sealed_bundle(village.service.signing_key(), VILLAGE, village.service.store.pending_events(10),
                               time.strftime("%Y-%m-%dT%H:%M:%S+08:00"), only_township)
    path = "/api/v1/sync/bundle"
    answer = httpx.post(world.url + path, content=body, timeout=10,
                        headers=signed_headers(township.service.signing_key(), TOWNSHIP, "POST", path, body, time.time()))
    assert answer.status_code == 400 and "not sealed to the city hall" in answer.text
    assert world.store.event_total() == 0


def test_the_migration_adds_the_column_and_the_hub_key_to_a_live_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, [m for m in MIGRATIONS if m[0] != "0008_encryption_keys"])
    with engine.begin() as conn:  # a station enrolled by the older version
        conn.exec_driver_sql("ALTER TABLE stations DROP COLUMN encryption_key")
        conn.exec_driver_sql("INSERT INTO stations (code, public_key, enrolled_at) VALUES (?, ?, ?)",
                             (VILLAGE, _KEY, "2026-01-01T00:00:00Z"))
    assert migrate(engine) == ["0008_encryption_keys"]
    assert "encryption_key" in {c["name"] for c in inspect(engine).get_columns("stations")}
    assert _station_key(engine, VILLAGE) is None
    assert public_text(hub_private_key(engine).public_key()) == hub_public_key(engine)


def test_the_hub_key_and_enrolment_on_postgresql(pg_url: str) -> None:
    engine = make_engine(fresh_pg_database(pg_url))
    migrate(engine)
    key = public_text(X25519PrivateKey.generate().public_key())
    enroll_station(engine, VILLAGE, _KEY, key)
    assert _station_key(engine, VILLAGE) == key and hub_public_key(engine)
    enroll_station(engine, VILLAGE, _KEY)  # the same signing key again: its encryption key stays
    assert _station_key(engine, VILLAGE) == key
    engine.dispose()


def test_enroll_takes_the_encryption_key_and_forgets_it_with_a_new_pc(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    key = public_text(X25519PrivateKey.generate().public_key())
    assert cityhall_main(["enroll", VILLAGE, f"--public-key={_KEY}", f"--encryption-key={key}", "--db", url]) == 0
    assert "加密公钥已登记" in capsys.readouterr().out
    engine = make_engine(url)
    assert _station_key(engine, VILLAGE) == key
    assert cityhall_main(["enroll", VILLAGE, f"--public-key={_KEY}", "--encryption-key=abc", "--db", url]) == 2
    assert "加密公钥格式不对" in capsys.readouterr().err and _station_key(engine, VILLAGE) == key
    new_pc = "A" * 42 + "E"
    assert cityhall_main(["enroll", VILLAGE, f"--public-key={new_pc}", "--db", url]) == 0
    assert _station_key(engine, VILLAGE) is None  # the new PC publishes its own at its first sync


def test_a_swapped_encryption_pub_is_neither_published_nor_sealed_to(world: World) -> None:
    """Whoever can write the station's folder (not its PIN) swaps ``encryption.pub`` for a key of theirs:
    the next sync must not publish it, so no stick for this station is ever sealed to the intruder."""
    from station.enckey import PUBLIC_FILE, encryption_private
    from station.info import station_info
    from sync.publications import fetch_publications
    from sync.recipients import bundle_recipients

    village = world.sites[VILLAGE].service
    true_key = public_text(encryption_private(village.store).public_key())  # type: ignore[union-attr]
    intruder = public_text(X25519PrivateKey.generate().public_key())
    (village.home.root / PUBLIC_FILE).write_text(intruder + "\n", encoding="ascii")

    village.store.set_meta("publications_cursor", "0")
    with world.sites[VILLAGE].client() as client:
        fetch_publications(client)

    assert _station_key(world.store.engine, VILLAGE) == true_key
    assert {r.name: r.key for r in bundle_recipients(village)}[VILLAGE] == true_key
    assert encryption_public(village.home.root) == true_key  # the file says so again
    (village.home.root / PUBLIC_FILE).write_text(intruder + "\n", encoding="ascii")
    assert station_info(village).encryption_key == true_key  # the enrol line of `station info` too
