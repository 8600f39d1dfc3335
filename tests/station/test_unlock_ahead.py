"""The PIN's scrypt started ahead (``station/unlock_ahead.py``): one scrypt per command, the same door.

``station cases`` and ``station case`` start the digest as soon as the command is known, in a
thread, and the unlock takes it from there. What the unlock decides must not change: a wrong,
missing or other operator's PIN, a locked-out or unknown operator, a damaged keys file.
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from station.cli.commands import COMMANDS
from station.datakey import read_ring
from station.home import StationHome
from station.lockbox import KEYS_FILE, Credentials
from station.pins import PinDigests, pin_digest
from station.service import StationService
from station.unlock_ahead import first_wrap_salt, start_pin_digest
from tests.support.hub import ROOT, file_case, make_station

COUNTED = """
import atexit, hashlib, json, sys, threading
calls = []
real = hashlib.scrypt
def scrypt(password, **kwargs):
    calls.append({"thread": threading.current_thread().name, "pin": password.decode(),
                  "service_loaded": "station.service" in sys.modules, "ciphers_loaded": "cryptography" in sys.modules})
    return real(password, **kwargs)
hashlib.scrypt = scrypt
atexit.register(lambda: print(json.dumps(calls), file=sys.stderr))
from station.cli import main
sys.exit(main(sys.argv[1:]))
"""
"""``station`` with every scrypt it runs listed on its last line of stderr."""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("ahead")
    service, operator, _ = make_station(folder, "420115102203", ROOT / "stations.toml")
    case_no = file_case(service, operator)
    service.close()
    return folder / "420115102203", case_no


def counted(home: Path, *args: str, **env: str) -> tuple[subprocess.CompletedProcess[str], list[dict[str, object]]]:
    base = {k: v for k, v in os.environ.items() if k not in ("STATION_PIN", "STATION_UNLOCK_PIN", "STATION_HOME")}
    done = subprocess.run([sys.executable, "-c", COUNTED, "--home", str(home), *args], capture_output=True, text=True,
                          env=base | env, timeout=60)
    *shown, calls = done.stderr.splitlines()
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout, "\n".join(shown)), json.loads(calls)


@pytest.mark.parametrize("command", [["cases", "--json"], ["case", "{case_no}", "--json"]])
def test_a_read_only_command_runs_one_scrypt_started_before_the_service_loads(home: tuple[Path, str],
                                                                             command: list[str]) -> None:
    root, case_no = home
    done, calls = counted(root, *(arg.format(case_no=case_no) for arg in command), STATION_PIN="1234")
    assert done.returncode == 0, done.stderr
    assert case_no in done.stdout
    assert len(calls) == 1, calls  # the unlock took the digest started ahead; it did not run scrypt again
    assert calls[0]["thread"] == "pin-digest" and not calls[0]["service_loaded"] and not calls[0]["ciphers_loaded"]


NOTHING_AHEAD = """
import sys
import station.cli.main
sys.modules["station.cli.main"]._UnlockAhead.start = lambda self, command, home: None
sys.exit(station.cli.main(sys.argv[1:]))
"""
"""``station`` as it was: the unlock computes every digest itself."""


@pytest.mark.parametrize("command", [["cases"], ["case", "{case_no}"], ["cases", "--json"], ["case", "{case_no}", "--json"]])
def test_the_output_is_byte_for_byte_that_without_the_digest_ahead(home: tuple[Path, str], command: list[str]) -> None:
    root, case_no = home
    argv = [arg.format(case_no=case_no) for arg in command]
    ahead, _ = counted(root, *argv, STATION_PIN="1234")
    env = os.environ | {"STATION_PIN": "1234"}
    plain = subprocess.run([sys.executable, "-c", NOTHING_AHEAD, "--home", str(root), *argv], capture_output=True,
                           env=env, timeout=60)
    assert plain.returncode == ahead.returncode == 0
    assert plain.stdout.decode() == ahead.stdout and plain.stderr.decode() == ahead.stderr == ""


def test_a_wrong_pin_is_refused_as_before_with_as_many_scrypts_as_before(home: tuple[Path, str]) -> None:
    root, _ = home
    done, calls = counted(root, "cases", STATION_PIN="9999")
    assert done.returncode == 4 and "给出的密码不是本站任何一位操作员的密码" in done.stderr
    assert "Traceback" not in done.stderr
    ring = read_ring(root / KEYS_FILE)
    assert ring is not None and len(calls) == len(ring.operators)  # one try per operator, the first one ahead
    assert calls[0]["thread"] == "pin-digest"


def test_without_a_pin_nothing_starts_and_the_store_stays_locked(home: tuple[Path, str]) -> None:
    root, case_no = home
    done, calls = counted(root, "case", case_no)
    assert done.returncode == 4 and "本站数据已加密" in done.stderr and "STATION_PIN" in done.stderr
    assert calls == []


def test_another_operators_pin_still_opens_and_only_the_first_wrap_is_tried_ahead(tmp_path: Path) -> None:
    service, operator, _ = make_station(tmp_path, "420115102203", ROOT / "stations.toml")
    service.add_agent("Z09", "李窗口", "clerk", "2345")  # sorted after A01: its wrap is tried second
    file_case(service, operator)
    service.close()
    done, calls = counted(tmp_path / "420115102203", "cases", "--json", STATION_PIN="2345")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["cases"]) == 1
    assert [call["thread"] for call in calls] == ["pin-digest", "MainThread"]


def test_only_the_commands_that_read_the_store_with_the_pin_alone_start_ahead() -> None:
    assert [name for name, entry in COMMANDS.items() if entry.reads_store] == ["case", "cases"]


# -- the digest source: an input to the unlock, never a decision -------------------------------------------

SALT = bytes(range(16))


def counting_scrypt(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import hashlib

    calls: list[str] = []
    real = hashlib.scrypt

    def scrypt(password: bytes, **kwargs: int | bytes) -> bytes:
        calls.append(threading.current_thread().name)
        return real(password, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(hashlib, "scrypt", scrypt)
    return calls


def test_a_started_digest_answers_only_its_own_pin_and_salt_and_only_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counting_scrypt(monkeypatch)
    digests = PinDigests()
    digests.start("1234", SALT)
    assert digests.digest("1234", bytes(16)) == pin_digest("1234", bytes(16))  # another salt: computed here
    assert digests.digest("4321", SALT) == pin_digest("4321", SALT)  # another PIN: computed here
    assert calls.count("pin-digest") == 1 and len(calls) == 5
    assert digests.digest("1234", SALT) == pin_digest("1234", SALT)  # the one started: from the thread
    assert len(calls) == 6
    digests.digest("1234", SALT)  # given out once: asked again, it is computed again
    assert len(calls) == 7 and calls[-1] == "MainThread"


def test_a_failure_in_the_thread_is_raised_where_the_digest_is_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    def scrypt(password: bytes, **kwargs: object) -> bytes:
        raise MemoryError("no room for scrypt")

    monkeypatch.setattr(hashlib, "scrypt", scrypt)
    digests = PinDigests()
    digests.start("1234", SALT)
    with pytest.raises(MemoryError, match="no room"):
        digests.digest("1234", SALT)


def _salt_of(root: Path, agent: str = "A01") -> bytes:
    ring = read_ring(root / KEYS_FILE)
    assert ring is not None
    return ring.operators[agent].salt_bytes()


def test_a_locked_out_operator_is_refused_though_the_right_pins_digest_is_ready(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    service, _, _ = make_station(tmp_path, "420115102203", ROOT / "stations.toml")
    service.close()
    root = tmp_path / "420115102203"
    locked = StationService(StationHome(root))
    for _ in range(5):
        with pytest.raises(Exception, match="密码不对"):
            locked.sign_in("A01", "0000")
    calls = counting_scrypt(monkeypatch)
    digests = PinDigests()
    digests.start("1234", _salt_of(root))
    again = StationService(StationHome(root), credentials=Credentials(pin="1234", agent="A01", digests=digests))
    with pytest.raises(Exception, match="已锁定"):
        again.sign_in("A01", "1234")
    assert not again.unlocked
    with pytest.raises(Exception, match="没有工号为“B77”的操作员"):
        again.sign_in("B77", "1234")
    assert not again.unlocked and calls == ["pin-digest"]  # computed ahead, never used


def test_a_wrong_pin_ahead_counts_a_failure_as_before(tmp_path: Path) -> None:
    service, _, _ = make_station(tmp_path, "420115102203", ROOT / "stations.toml")
    service.close()
    root = tmp_path / "420115102203"
    digests = PinDigests()
    digests.start("0000", _salt_of(root))
    wrong = StationService(StationHome(root), credentials=Credentials(pin="0000", digests=digests))
    with pytest.raises(Exception, match="还可再试 4 次"):
        wrong.sign_in("A01", "0000")
    ring = read_ring(root / KEYS_FILE)
    assert ring is not None and ring.sign_in["A01"]["failures"] == 1
    assert wrong.sign_in("A01", "1234").id == "A01"  # the right PIN, computed where it is asked for


# -- reading the salt ahead: a hint that never fails a command ------------------------------------------------

def test_the_salt_read_ahead_is_the_first_wrap_the_unlock_tries(home: tuple[Path, str]) -> None:
    root, _ = home
    ring = read_ring(root / KEYS_FILE)
    assert ring is not None
    first = ring.candidates(None)[0]
    assert first_wrap_salt(root / KEYS_FILE) == ring.operators[first].salt_bytes()


@pytest.mark.parametrize("text", ["", "{", "[]", '{"operators": 5}', '{"operators": {"A01": {}}}',
                                  '{"operators": {"A01": {"salt": "not base64!"}}}',
                                  '{"open": "00", "operators": {"A01": {"salt": "AAAA"}}}', '{"operators": {}}'])
def test_a_keys_file_that_cannot_be_read_ahead_starts_nothing(tmp_path: Path, text: str) -> None:
    (tmp_path / KEYS_FILE).write_text(text, encoding="ascii")
    assert first_wrap_salt(tmp_path / KEYS_FILE) is None
    digests = start_pin_digest(tmp_path, {"STATION_PIN": "1234"})
    assert digests.digest("1234", SALT) == pin_digest("1234", SALT)


def test_a_missing_home_or_pin_starts_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counting_scrypt(monkeypatch)
    start_pin_digest(tmp_path / "nowhere", {"STATION_PIN": "1234"})
    (tmp_path / KEYS_FILE).write_text(json.dumps({"operators": {"A01": {"salt": base64.b64encode(SALT).decode()}}}))
    start_pin_digest(tmp_path, {})
    assert calls == []
    start_pin_digest(tmp_path, {"STATION_PIN": "1234", "STATION_UNLOCK_PIN": "2345"}).digest("2345", SALT)
    assert calls == ["pin-digest"]  # the unlock's first PIN is the unlocking one (station agent add)
