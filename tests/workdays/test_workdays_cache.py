"""The working-day tables kept parsed between starts: the same as parsing, never stale, damage ignored."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from station.workdays import CalendarError, WorkCalendar

BUILTIN = Path(__file__).resolve().parents[2] / "station" / "calendars"
DAY = dt.date(2026, 3, 3)  # a Tuesday


@pytest.fixture
def overrides(tmp_path: Path) -> Path:
    folder = tmp_path / "calendars"
    folder.mkdir()
    shutil.copyfile(BUILTIN / "2026.toml", folder / "2026.toml")
    return folder


def _holiday(folder: Path, old: str, new: str) -> None:
    """Swap a date of the override file for another of the same length, keeping its size and time."""
    path = folder / "2026.toml"
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


def test_cached_or_parsed_the_tables_are_the_same(tmp_path: Path, overrides: Path) -> None:
    cache = tmp_path / "cache" / "calendar.pickle"
    plain = WorkCalendar.load(overrides)
    for _ in range(2):  # parsed and written, then read back
        kept = WorkCalendar.load(overrides, cache)
        assert kept.years == plain.years
        assert [kept.table(y) for y in kept.years] == [plain.table(y) for y in plain.years]
    assert cache.is_file()


def test_an_edited_override_is_seen_at_once(tmp_path: Path, overrides: Path) -> None:
    cache = tmp_path / "calendar.pickle"
    assert WorkCalendar.load(overrides, cache).is_workday(DAY)
    _holiday(overrides, "2026-01-01,", "2026-03-03,")
    assert not WorkCalendar.load(overrides, cache).is_workday(DAY)
    (overrides / "2026.toml").unlink()
    assert WorkCalendar.load(overrides, cache).is_workday(DAY)


@pytest.mark.parametrize("damage", [b"", b"not a pickle at all"])
def test_a_damaged_cache_is_ignored_and_written_again(tmp_path: Path, overrides: Path, damage: bytes) -> None:
    cache = tmp_path / "calendar.pickle"
    WorkCalendar.load(overrides, cache)
    good = cache.read_bytes()
    cache.write_bytes(damage)
    assert WorkCalendar.load(overrides, cache).is_workday(DAY)
    assert cache.read_bytes() == good


def test_a_broken_override_is_refused_as_without_the_cache(tmp_path: Path, overrides: Path) -> None:
    (overrides / "2027.toml").write_text("holidays = [nonsense]\n", encoding="utf-8")
    with pytest.raises(CalendarError):
        WorkCalendar.load(overrides, tmp_path / "calendar.pickle")
    with pytest.raises(CalendarError):
        WorkCalendar.load(overrides)
    assert not (tmp_path / "calendar.pickle").exists()
