from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import sqlite_utils

from station.migrations import MIGRATIONS, applied_migrations
from station.names import name_keys
from station.store import StationStore


def test_an_old_station_file_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    old.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    first_name, first_step = MIGRATIONS[0]
    first_step(old)
    old.execute("INSERT INTO _migrations VALUES (?, '2026-01-01')", [first_name])
    old.execute("INSERT INTO citizens VALUES ('11010519491231002X', '曾𠮷', NULL, '2026-01-01')")
    old.close()
    store = StationStore(path)
    assert applied_migrations(store.db) == [name for name, _ in MIGRATIONS]
    assert store.citizen("11010519491231002X")["name"] == "曾𠮷"
    assert [c["name"] for c in store.search_citizens("zj")] == ["曾𠮷"]  # keyed again by 0005 (𠮷 read as ji)
    assert "cases_by_item" in {index.name for index in store.db["cases"].indexes}
    store.close()


def test_a_failing_migration_leaves_nothing_half_done(tmp_path: Path, monkeypatch) -> None:
    def broken(db: sqlite_utils.Database) -> None:
        db.execute("CREATE TABLE half (x)")
        raise RuntimeError("disk trouble")

    import station.migrations as migrations

    monkeypatch.setattr(migrations, "MIGRATIONS", [*MIGRATIONS, ("0999_broken", broken)])
    try:
        StationStore(tmp_path / "s.db")
    except RuntimeError:
        pass
    db = sqlite_utils.Database(tmp_path / "s.db")
    assert "half" not in db.table_names()
    assert "0999_broken" not in applied_migrations(db)


def test_surname_readings_are_indexed_both_ways() -> None:
    assert {"zgf", "cgf", "zengguofan"} <= name_keys("曾国藩")
    assert {"sxw", "shanxiongwei"} <= name_keys("单雄伟")
    assert {"ouyangnana", "oynn"} <= name_keys("欧阳娜娜")
    assert "𠮷野" in name_keys("𠮷野") and "ye" in name_keys("𠮷野")  # 𠮷 has no pinyin; the rest still indexes
    assert {"wjx", "wangjixiang", "wx"} <= name_keys("王𠮷祥")  # 𠮷 read as ji, or skipped by who can't read it
    assert {"zj", "zengji", "cj"} <= name_keys("曾𠮷")


def test_core_layers_never_load_textual() -> None:
    code = "import sys, forms, sync, station.ledger, station.service, station.cli; " \
           "print([m for m in sys.modules if m.split('.')[0] == 'textual'])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
