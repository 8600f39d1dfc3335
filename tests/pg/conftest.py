"""A fresh database per test on the session's real PostgreSQL server (or a SQLite file)."""
from __future__ import annotations

import itertools
from pathlib import Path

import psycopg
import pytest

_numbers = itertools.count(1)


def fresh_pg_database(server_url: str) -> str:
    name = f"hub_{next(_numbers)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    return fresh_pg_database(request.getfixturevalue("pg_url"))


@pytest.fixture
def pg_db(pg_url: str) -> str:
    return fresh_pg_database(pg_url)
