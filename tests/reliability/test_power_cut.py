"""Power cuts at a station: SIGKILL `station intake` mid-write, then reopen the SQLite file.

Invariants: ``PRAGMA integrity_check`` is ``ok``, and every case whose receipt was
printed (the command answered, so it had committed) is still in the store.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

from tests.support.demo import DEMO_TOPOLOGY_FILE, VILLAGE
from tests.reliability.sites import integrity, intake_command, make_home, station_env, stored_case_numbers

CUTS = 4


def intake_loop_script(command: list[str]) -> list[str]:
    """A shell loop of intakes, each printing its answer as soon as it committed."""
    quoted = " ".join("'" + part.replace("'", "'\\''") + "'" for part in command)
    return ["bash", "-c", f"while true; do {quoted} || exit 9; done"]


def test_a_killed_intake_never_corrupts_the_store_or_loses_a_printed_case(tmp_path: Path) -> None:
    home, _ = make_home(tmp_path, VILLAGE, DEMO_TOPOLOGY_FILE)
    rng = random.Random(5)
    printed: set[str] = set()
    for _ in range(CUTS):
        loop = subprocess.Popen(intake_loop_script(intake_command(home)), stdout=subprocess.PIPE, text=True,
                                env=station_env(), start_new_session=True)
        time.sleep(rng.uniform(0.6, 1.6))
        os.killpg(loop.pid, signal.SIGKILL)
        output, _ = loop.communicate(timeout=10)
        printed |= {json.loads(line)["case_no"] for line in output.splitlines() if line.startswith("{")}
        assert integrity(home) == "ok"
        assert printed <= stored_case_numbers(home), "a case whose receipt was printed is gone"
    assert printed, "no intake finished between cuts: the test proved nothing"
