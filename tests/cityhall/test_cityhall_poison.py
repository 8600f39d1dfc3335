"""An event stored before the event contract that breaks it: quarantined on upgrade, alone.

Such an event (``at = "garbage"``) used to make the staff pages, its case's page and every
pull that carried it fail. The upgrade moves it to ``rejections``; the other cases, the
staff digest and the stations' pulls carry on, and its own case says it cannot be shown.
"""
from __future__ import annotations

import json

import httpx
from sqlalchemy import delete, select

from cityhall import db
from cityhall.citywide import all_case_states
from tests.support.demo import TOWNSHIP, VILLAGE
from tests.support.hub import file_case

from .conftest import World


def _poison_stored_event(world: World, case_no: str) -> str:
    """Rewrite the case's forwarded event in the store, as an old hub without the contract kept it."""
    engine = world.store.engine
    with engine.begin() as conn:
        seq, body = conn.execute(select(db.events.c.seq, db.events.c.body)
                                 .where(db.events.c.case_no == case_no, db.events.c.kind == "forwarded")).one()
        raw = json.loads(body) | {"at": "garbage"}
        conn.execute(db.events.update().where(db.events.c.seq == seq).values(body=json.dumps(raw)))
        conn.execute(delete(db.migrations_table).where(db.migrations_table.c.name == "0005_quarantine_broken_events"))
    return str(raw["id"])


def test_a_poisoned_stored_event_is_quarantined_and_breaks_nothing_else(world: World) -> None:
    village, township = world.sites[VILLAGE], world.sites[TOWNSHIP]
    poisoned_case, healthy_case = file_case(village.service, village.operator), file_case(village.service, village.operator)
    with village.client() as client:
        client.sync_once()
    bad_id = _poison_stored_event(world, poisoned_case)

    assert "0005_quarantine_broken_events" in db.migrate(world.store.engine)

    with world.store.engine.connect() as conn:
        assert conn.execute(select(db.events.c.id).where(db.events.c.id == bad_id)).first() is None
        reason = conn.execute(select(db.rejections.c.reason).where(db.rejections.c.id == bad_id)).scalar()
    assert reason and "contract" in reason
    world.store._cache.clear()  # noqa: SLF001 - the running hub forgets the folded states it held
    assert {s.case_no for s in all_case_states(world.store.engine, world.store.topology)} >= {healthy_case}
    with township.client() as client:
        report = client.sync_once()
    assert report.pulled >= 2  # the township receives both cases' received, the healthy forward too
    token = village.service.store.token(healthy_case)
    assert httpx.get(f"{world.url}/api/v1/track/{healthy_case}/{token}").status_code == 200
