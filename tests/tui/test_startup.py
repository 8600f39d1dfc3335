"""What keeps start-up fast (bench/bench_tui_startup.py): a lean import path, indexed board queries."""
from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest

from station.store import connect_store
from station.service import StationService
from station.tui.queries import CaseQueries

from .conftest import FROZEN_NOW


def test_the_app_starts_without_sqlite_utils_and_the_sync_stack(village: StationService) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from station.home import StationHome\n"
        "from station.service import StationService\n"
        f"StationService(StationHome(Path({str(village.home.root)!r}))).close()\n"
        "import station.tui.app, station.tui.screens.home\n"
        "print(sorted(m for m in ('sqlite_utils', 'sync', 'httpx', 'PIL', 'cryptography') if m in sys.modules))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


@pytest.mark.parametrize("days_on", [0, 30])
def test_every_board_query_uses_an_index(village: StationService, days_on: int) -> None:
    queries = CaseQueries(village.home.database, village.station.code, lambda: village.calendar,
                          key=village.data_key)
    plans: list[str] = []
    explain = connect_store(village.home.database, village.data_key())
    read = queries._rows

    def explained(sql: str, params: list[Any]) -> list[Any]:
        plans.extend(row[3] for row in explain.execute(f"EXPLAIN QUERY PLAN {sql}", params))
        return read(sql, params)

    queries._rows = explained  # type: ignore[method-assign]
    today = FROZEN_NOW.date() + timedelta(days=days_on)
    queries.board(today, today + timedelta(days=4))
    queries.close()
    explain.close()
    searches = [plan for plan in plans if "cases" in plan]
    assert searches and all(plan.startswith("SEARCH cases USING") and "INDEX" in plan for plan in searches)
