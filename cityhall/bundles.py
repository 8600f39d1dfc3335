"""The city hall's side of sealed bundles: its own encryption key, the stations' keys, relayed bundles.

The hub's X25519 key pair is made by the migration ``0008_encryption_keys`` and kept in
the database (``office_secrets``), not in a file: every worker process, and every machine
pointing at the same PostgreSQL, opens the same bundles, and a restored database backup
still opens the sticks written before it. Whoever reads the database can read the bundles
too, but that reader already holds every event they carry.

Each station's public key is in ``stations.encryption_key``: given at enrolment
(``cityhall enroll CODE KEY --encryption-key K``), or published by the station itself in
its signed publications request. Each publications page sends a station the hub's key
and those of the enrolled stations above and below it: what its bundles are sealed to.
"""
from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, inspect, insert, select, update

from station.keyseal import load_private, load_usable_public, public_text
from sync.bundle import Bundle, BundleError, read_bundle
from sync.sealed_bundle import HUB, NotARecipient

from . import db
from .office_tables import office_secrets
from .revocation import revocations

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from .store import HubStore

__all__ = ["HUB_KEY_SECRET", "add_encryption_keys", "hub_private_key", "hub_public_key", "station_keys_for",
           "publish_station_key", "check_encryption_key", "ingest_relayed_bundle"]

HUB_KEY_SECRET = "bundle_encryption_key"


def add_encryption_keys(conn: Connection) -> None:
    """Migration ``0008_encryption_keys``: the stations' key column (nullable) and the hub's key pair."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from station.keyseal import private_text

    if "encryption_key" not in {column["name"] for column in inspect(conn).get_columns("stations")}:
        conn.exec_driver_sql("ALTER TABLE stations ADD COLUMN encryption_key VARCHAR(64)")
    if conn.execute(select(office_secrets.c.name).where(office_secrets.c.name == HUB_KEY_SECRET)).first() is None:
        conn.execute(insert(office_secrets).values(name=HUB_KEY_SECRET, value=private_text(X25519PrivateKey.generate())))


@functools.lru_cache(maxsize=8)
def hub_private_key(engine: Engine) -> X25519PrivateKey:
    with engine.connect() as conn:
        text = conn.execute(select(office_secrets.c.value).where(office_secrets.c.name == HUB_KEY_SECRET)).scalar()
    if not text:
        raise RuntimeError("the hub's encryption key is missing: run any cityhall command to migrate the database")
    return load_private(str(text))


def hub_public_key(engine: Engine) -> str:
    return public_text(hub_private_key(engine).public_key())


def check_encryption_key(text: str) -> str:
    """The key as given, or ValueError when it is not an X25519 public key as ``station init`` prints it."""
    try:
        load_usable_public(text)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"加密公钥格式不对（应为 station init 或 station info 显示的 43 个字符）：{text!r}") from exc
    return text


def publish_station_key(engine: Engine, station: str, text: str | None) -> bool:
    """A station's own key from its signed request: stored when new or changed; a malformed one is ignored."""
    if not text:
        return False
    try:
        check_encryption_key(text)
    except ValueError:
        return False
    known = select(db.stations.c.encryption_key).where(db.stations.c.code == station)
    with engine.connect() as conn:  # read first: most requests change nothing and take no write lock
        if conn.execute(known).scalar() == text:
            return False
    with engine.begin() as conn:
        conn.execute(update(db.stations).where(db.stations.c.code == station).values(encryption_key=text))
    return True


def station_keys_for(store: HubStore, station: str) -> dict[str, Any]:
    """What a station seals its bundles to: the hub's key and the enrolled stations above and below it;
    and those stations' signing keys, which a stick from one of them must be signed by."""
    topology = store.topology
    relatives = [*topology.ancestors(station), *topology.descendants(station)] if station in topology else []
    revoked = select(revocations.c.public_key)  # a revoked PC is in the wrong hands: no stick is sealed to it
    with store.engine.connect() as conn:
        rows = conn.execute(select(db.stations.c.code, db.stations.c.encryption_key, db.stations.c.public_key)
                            .where(db.stations.c.code.in_(relatives), db.stations.c.public_key.not_in(revoked))
                            ).all() if relatives else []
    return {"hub": hub_public_key(store.engine), "stations": {row.code: row.encryption_key for row in rows},
            "signing": {row.code: row.public_key for row in rows}}


def ingest_relayed_bundle(store: HubStore, data: bytes) -> list[dict[str, Any]]:
    """A relayed bundle (either version) and those it carries, each judged on its own origin's enrolled key.

    BundleError when the outer bundle is not intact or not sealed to the city hall.
    """
    keys = {HUB: hub_private_key(store.engine)}
    try:
        bundle = read_bundle(data, keys=keys)
    except NotARecipient as exc:
        raise BundleError(f"the bundle of {exc.station} is not sealed to the city hall "
                          f"(sealed to {', '.join(exc.recipients) or 'nobody'})") from exc
    return _ingest_tree(store, bundle, keys)


def _ingest_tree(store: HubStore, bundle: Bundle, keys: dict[str, X25519PrivateKey]) -> list[dict[str, Any]]:
    from .security import bundle_key_problem

    problem = bundle_key_problem(store, bundle.station, bundle.public_key, bundle.created_at)
    results: list[dict[str, Any]]
    if problem:
        results = [{"station": bundle.station, "error": problem, "results": []}]
    else:
        answers = store.ingest(bundle.events, bundle.station, time.time())
        results = [{"station": bundle.station, "results": [a.to_dict() for a in answers]}]
    for inner in bundle.carried:
        try:
            results += _ingest_tree(store, read_bundle(inner, keys=keys), keys)
        except NotARecipient as exc:
            results.append({"station": exc.station, "error": "not sealed to the city hall", "results": []})
    return results
