"""A plain store of an older version is encrypted in place; a SIGKILL at any moment loses nothing."""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from station.home import StationHome
from station.lockbox import PLAIN_HEADER, Credentials
from station.service import StationService
from station.store import connect_store
from tests.support.demo import VILLAGE

from .helpers import FakeClock, allowance_request, make_service
from .test_encryption import NAME, SECRETS, every_file_bytes, leaks, station

CASES = 40
_MIGRATE = ("import sys\nfrom pathlib import Path\nfrom station.home import StationHome\n"
            "from station.lockbox import settle\nprint('go', flush=True)\nsettle(StationHome(Path(sys.argv[1])))\n")


def _leave_a_wal(database: Path) -> None:
    """Commit a row in WAL mode and die before the WAL is folded in, as a power cut would."""
    code = ("import os, sqlite3, sys\nc = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('PRAGMA journal_mode = WAL'); c.execute('PRAGMA wal_autocheckpoint = 0')\n"
            "c.execute(\"INSERT INTO meta (key, value) VALUES ('in_the_wal', 'yes')\")\nos._exit(0)\n")
    subprocess.run([sys.executable, "-c", code, str(database)], check=True, timeout=30)
    assert database.with_name(database.name + "-wal").stat().st_size > 0


def make_plain_home(root: Path, clock: FakeClock) -> Path:
    """A home as an older version left it: a plain store (with a WAL holding a commit), no keys file."""
    service = make_service(root, VILLAGE, clock)
    service.add_agent("A01", "王小丽", "agent", "1234")
    operator = service.sign_in("A01", "1234")
    for _ in range(CASES):
        service.intake(operator, allowance_request())
    service.store.set_meta("padding", os.urandom(3 << 20).hex())  # a store big enough for the copy to take a while
    key, home = service.data_key(), service.home
    service.close()
    conn = connect_store(home.database, key)
    plain = home.root / "plain.db"
    conn.execute("ATTACH DATABASE ? AS plain KEY ''", [str(plain)])
    conn.execute("SELECT sqlcipher_export('plain')")
    conn.execute("DETACH DATABASE plain")
    conn.close()
    for name in ("keys.json", "station.db-wal", "station.db-shm"):
        (home.root / name).unlink(missing_ok=True)
    os.replace(plain, home.database)
    _leave_a_wal(home.database)
    return home.root


@pytest.fixture(scope="module")
def plain_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from datetime import datetime

    from station.home import CHINA_TZ

    return make_plain_home(tmp_path_factory.mktemp("plain"), FakeClock(datetime(2026, 11, 2, 9, 30, tzinfo=CHINA_TZ)))


def _all_there(root: Path) -> None:
    service = StationService(StationHome(root), credentials=Credentials(pin="1234"))
    try:
        assert service.store.case_count() == CASES
        assert service.store.get_meta("in_the_wal") == "yes"
    finally:
        service.close()
    assert (root / "station.db").read_bytes()[:16] != PLAIN_HEADER
    assert not list(root.glob("*.swap")) and not (root / "keys.pending.json").exists()


def test_the_first_unlock_encrypts_a_plain_store_with_its_wal(plain_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "home"
    shutil.copytree(plain_home, root)
    assert NAME.encode() in every_file_bytes(root)[root / "station.db"]  # plain before
    listed = station(root, "cases", "--json", STATION_PIN="1234")  # the PIN opens it: its wrap came from its hash
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count(NAME) == CASES
    _all_there(root)
    assert leaks(every_file_bytes(root), SECRETS) == []


def test_a_sigkill_at_any_moment_of_the_migration_loses_nothing(plain_home: Path, tmp_path: Path) -> None:
    def start(root: Path) -> tuple[subprocess.Popen[str], float]:
        child = subprocess.Popen([sys.executable, "-c", _MIGRATE, str(root)], stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdout.readline().strip() == "go"
        return child, time.monotonic()

    timing = tmp_path / "timing"
    shutil.copytree(plain_home, timing)
    child, began = start(timing)
    assert child.wait(timeout=60) == 0
    took = time.monotonic() - began
    moments = random.Random(13)
    killed_mid_way = rounds = 0
    while killed_mid_way < 20 and rounds < 60:  # 20 kills that landed before the migration ended
        rounds += 1
        root = tmp_path / f"round{rounds}"
        shutil.copytree(plain_home, root)
        child, began = start(root)
        time.sleep(moments.uniform(0, took * 0.95))
        child.send_signal(signal.SIGKILL)
        killed_mid_way += child.wait(timeout=60) == -signal.SIGKILL
        _all_there(root)
        shutil.rmtree(root)
    assert killed_mid_way >= 20, f"only {killed_mid_way} kills landed before the migration ended ({took:.2f} s)"
