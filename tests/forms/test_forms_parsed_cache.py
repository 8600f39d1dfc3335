"""The parsed catalogue kept between starts: the same items as parsing, never stale, damage ignored."""
from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from forms import CatalogueError, builtin_catalogue, merged_catalogue, station_catalogue
from forms.parsed_cache import FORMAT

ROOT = Path(__file__).resolve().parents[2]
ITEM = "420115GG0001"
SHIPPED = ROOT / "forms" / "items" / f"{ITEM}.toml"


@pytest.fixture
def published(tmp_path: Path) -> Path:
    folder = tmp_path / "items"
    folder.mkdir()
    shutil.copyfile(SHIPPED, folder / f"{ITEM}.v2.toml")
    text = (folder / f"{ITEM}.v2.toml").read_text(encoding="utf-8").replace("version = 1", "version = 2")
    (folder / f"{ITEM}.v2.toml").write_text(text.replace("promise_days = 1", "promise_days = 3"), encoding="utf-8")
    return folder


def _everything(catalogue) -> list:  # noqa: ANN001 - a Catalogue
    return [catalogue.get(item.code, v) for item in catalogue.items() for v in catalogue.versions(item.code)]


def test_cached_or_parsed_the_catalogue_is_the_same(tmp_path: Path, published: Path) -> None:
    cache = tmp_path / "cache" / "catalogue.pickle"
    expected = _everything(merged_catalogue(builtin_catalogue(), published))
    assert _everything(station_catalogue(published, cache)) == expected  # parsed and written
    assert cache.read_bytes().startswith(FORMAT)
    assert _everything(station_catalogue(published, cache)) == expected  # read back
    assert _everything(station_catalogue(tmp_path / "none", cache)) == _everything(builtin_catalogue())
    assert station_catalogue(published, cache).get(ITEM).promise_days == 3


def test_an_edited_file_is_seen_at_the_next_start_even_with_its_size_and_time_kept(tmp_path: Path,
                                                                                 published: Path) -> None:
    cache = tmp_path / "cache" / "catalogue.pickle"
    item_file = published / f"{ITEM}.v2.toml"
    assert station_catalogue(published, cache).get(ITEM).promise_days == 3
    before = item_file.stat()
    item_file.write_text(item_file.read_text(encoding="utf-8").replace("promise_days = 3", "promise_days = 4"),
                         encoding="utf-8")
    os.utime(item_file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert item_file.stat().st_size == before.st_size
    code = ("import sys; from pathlib import Path; from forms import station_catalogue; "
            f"print(station_catalogue(Path(sys.argv[1]), Path(sys.argv[2])).get('{ITEM}').promise_days)")
    fresh = subprocess.run([sys.executable, "-c", code, str(published), str(cache)], capture_output=True, text=True,
                           check=True, cwd=ROOT)
    assert fresh.stdout.strip() == "4"
    (published / f"{ITEM}.v2.toml").unlink()
    assert station_catalogue(published, cache).get(ITEM).version == 1  # a removed file is gone too


@pytest.mark.parametrize("damage", [b"", b"garbage", FORMAT, FORMAT + bytes(32) + b"\x80\x05junk"])
def test_a_damaged_cache_file_is_ignored_and_written_again(tmp_path: Path, published: Path, damage: bytes) -> None:
    cache = tmp_path / "catalogue.pickle"
    station_catalogue(published, cache)
    good = cache.read_bytes()
    cache.write_bytes(damage)
    assert station_catalogue(published, cache).get(ITEM).promise_days == 3
    assert cache.read_bytes() == good


def test_a_cached_value_of_the_wrong_kind_is_damage(tmp_path: Path, published: Path) -> None:
    cache = tmp_path / "catalogue.pickle"
    station_catalogue(published, cache)
    header = cache.read_bytes()[:len(FORMAT) + 32]
    cache.write_bytes(header + pickle.dumps(["not an item"]))
    assert station_catalogue(published, cache).get(ITEM).promise_days == 3
    assert pickle.loads(cache.read_bytes()[len(header):])[0] != "not an item"


def test_a_broken_file_is_refused_as_without_the_cache_and_nothing_is_kept(tmp_path: Path, published: Path) -> None:
    cache = tmp_path / "catalogue.pickle"
    (published / "broken.toml").write_text('code = "X\n', encoding="utf-8")
    with pytest.raises(CatalogueError) as cached_error:
        station_catalogue(published, cache)
    with pytest.raises(CatalogueError) as plain_error:
        merged_catalogue(builtin_catalogue(), published)
    assert str(cached_error.value) == str(plain_error.value)
    assert not cache.exists()


def test_a_cache_that_cannot_be_written_only_costs_the_parse(tmp_path: Path, published: Path) -> None:
    (tmp_path / "cache").write_text("a file where the folder would be", encoding="utf-8")
    assert station_catalogue(published, tmp_path / "cache" / "catalogue.pickle").get(ITEM).promise_days == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "items"]


def test_a_toml_file_kept_parsed_is_read_again_when_its_bytes_change(tmp_path: Path) -> None:
    import tomllib

    from forms.parsed_cache import read_toml

    source, cache = tmp_path / "station.toml", tmp_path / "cache" / "station.toml.pickle"
    source.write_text('station = "420115102203"\nday = 2026-12-03\n', encoding="utf-8")
    expected = tomllib.loads(source.read_text(encoding="utf-8"))
    assert read_toml(source, cache) == expected and read_toml(source, cache) == expected and cache.is_file()
    before = source.stat()
    source.write_text('station = "420115102204"\nday = 2026-12-03\n', encoding="utf-8")
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert read_toml(source, cache)["station"] == "420115102204"
    cache.write_bytes(b"damaged")
    assert read_toml(source, cache)["station"] == "420115102204" and cache.read_bytes().startswith(FORMAT)
    source.write_text("station = \n", encoding="utf-8")
    with pytest.raises(ValueError):
        read_toml(source, cache)
