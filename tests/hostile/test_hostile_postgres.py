"""The ownership, identity and race attacks again, on a PostgreSQL hub.

PostgreSQL keeps its own constraints, row locks and isolation: a case's origin, an
event's identity and exactly-once ratings must hold there as on SQLite. The tests are
the SQLite module's own, run against this module's hub.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from .conftest import City, build_city, close_city, fresh_pg_database
from .test_hostile_stations import (  # noqa: F401 - collected here, against the PostgreSQL hub
    test_1a_another_township_cannot_take_over_a_village_case,
    test_1b_a_village_next_case_number_cannot_be_claimed_in_advance,
    test_2_a_village_cannot_approve_its_own_case,
    test_3_another_station_cannot_make_a_village_event_a_duplicate,
    test_8a_twelve_concurrent_ratings_store_exactly_one,
)


@pytest.fixture(scope="module")
def city(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    built = build_city(tmp_path_factory.mktemp("city-pg"), fresh_pg_database(pg_url))
    try:
        yield built
    finally:
        close_city(built)
