"""The station command on a disk that refuses writes, and with bytes that are not text on its line.

A write past a file-size cap (``RLIMIT_FSIZE`` in the child: it works without mounting
anything) fails like a full disk. Exit 6 with a Chinese message, never a traceback, and
never a 0-byte or partial receipt left where the operator would take it for printed.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from station.home import StationHome
from tests.reliability.sites import STATION_BIN, integrity, intake_command, make_home, station_env, stored_case_numbers
from tests.reliability.test_disk_full import file_size_cap
from tests.support.demo import DEMO_TOPOLOGY_FILE, VILLAGE

OUTPUT_CAP = 12 * 1024
"""Below a receipt's PNG (about 25 KB), PDF (about 29 KB) or ESC/POS bytes; above what reading a case writes."""


@pytest.fixture(scope="module")
def filed(tmp_path_factory: pytest.TempPathFactory) -> tuple[StationHome, str]:
    home, _ = make_home(tmp_path_factory.mktemp("outputs"), VILLAGE, DEMO_TOPOLOGY_FILE)
    done = subprocess.run(intake_command(home), capture_output=True, text=True, env=station_env(), timeout=60)
    assert done.returncode == 0, done.stderr
    return home, json.loads(done.stdout)["case_no"]


def _capped(home: StationHome, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([STATION_BIN, "--home", str(home.root), *args], capture_output=True, text=True,
                          env=station_env(), preexec_fn=file_size_cap(OUTPUT_CAP), timeout=60)


@pytest.mark.parametrize("output", [("receipt", "--png", "回执.png"), ("receipt", "--pdf", "回执.pdf"),
                                    ("print", "receipt", "--escpos", "回执.bin")], ids=["png", "pdf", "escpos"])
def test_a_receipt_that_cannot_be_written_leaves_no_file_and_exits_6(
        filed: tuple[StationHome, str], tmp_path: Path, output: tuple[str, ...]) -> None:
    home, case_no = filed
    command, *options, name = output
    target = tmp_path / name
    done = _capped(home, command, case_no, *options, str(target))
    assert done.returncode == 6, done.stderr
    assert "Traceback" not in done.stderr and "本次操作没有保存" in done.stderr
    assert not target.exists() and list(tmp_path.iterdir()) == []  # neither the file nor a temporary one


def test_a_receipt_rewritten_on_a_refusing_disk_keeps_the_one_printed_before(
        filed: tuple[StationHome, str], tmp_path: Path) -> None:
    home, case_no = filed
    target = tmp_path / "回执.png"
    first = subprocess.run([STATION_BIN, "--home", str(home.root), "receipt", case_no, "--png", str(target)],
                           capture_output=True, text=True, env=station_env(), timeout=60)
    assert first.returncode == 0, first.stderr
    printed = target.read_bytes()
    assert _capped(home, "receipt", case_no, "--png", str(target)).returncode == 6
    assert target.read_bytes() == printed and [p.name for p in tmp_path.iterdir()] == ["回执.png"]


def test_a_full_disk_during_intake_is_exit_6(tmp_path: Path) -> None:
    home, _ = make_home(tmp_path, VILLAGE, DEMO_TOPOLOGY_FILE)
    before = stored_case_numbers(home)
    done = subprocess.run(intake_command(home), capture_output=True, text=True, env=station_env(),
                          preexec_fn=file_size_cap(OUTPUT_CAP), timeout=60)
    assert done.returncode == 6 and "Traceback" not in done.stderr and "没有保存" in done.stderr, done.stderr
    assert integrity(home) == "ok" and stored_case_numbers(home) == before


@pytest.mark.parametrize("where", ["field", "field=", "name", "positional"])
def test_bytes_that_are_not_utf8_on_the_command_line_are_exit_2_naming_the_option(
        tmp_path: Path, where: str) -> None:
    home, _ = make_home(tmp_path, VILLAGE, DEMO_TOPOLOGY_FILE)
    command = [part.encode() for part in intake_command(home)]
    bad = "村民小组\udcff".encode("utf-8", "surrogateescape")
    if where == "field":
        command += [b"--field", b"village_group=" + bad]
    elif where == "field=":
        command += [b"--field=village_group=" + bad]
    elif where == "name":
        command[command.index(b"--applicant-name") + 1] = bad
    else:
        command = [STATION_BIN.encode(), b"--home", str(home.root).encode(), b"case", bad]
    done = subprocess.run(command, capture_output=True, env=station_env(), timeout=60)
    stderr = done.stderr.decode("utf-8")
    expected = {"field": "--field", "field=": "--field", "name": "--applicant-name", "positional": "第 "}[where]
    assert done.returncode == 2 and stderr.startswith(expected) and "不是 UTF-8" in stderr, stderr
    assert "\\xff" in stderr and "Traceback" not in stderr
    assert stored_case_numbers(home) == set()
