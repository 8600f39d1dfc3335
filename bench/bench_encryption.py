"""What encrypting the store costs: intake + receipt, and the app's start, with encryption on and off in one run.

"On" is the station as it ships (SQLCipher under the data key); "off" is the same home
copied to a plain SQLite file and opened as such (the code path is the same, only the
file's pages are not encrypted). Both run interleaved on the same machine.

    .venv/bin/python bench/bench_encryption.py [--intakes 100] [--cases 20000] [--runs 5] [--json]

Budgets (DESIGN §8): intake + receipt ≤ 30 ms median; the app to a usable Today board
≤ 1.3 × a minimal Textual app (bench_tui_startup.py measures that ratio; this script
prints on/off).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_station import ITEM, intake_once, make_station  # noqa: E402
from bench_tui_startup import PIN, build_home  # noqa: E402
from forms import builtin_catalogue  # noqa: E402
from station.home import CHINA_TZ, StationHome  # noqa: E402
from station.lockbox import Credentials  # noqa: E402
from station.service import StationService  # noqa: E402
from station.store import connect_store  # noqa: E402


def plain_copy(source: Path, key: bytes, target: Path) -> Path:
    """The home at ``source`` copied to ``target`` with its store as a plain SQLite file."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("station.db*", "keys*.json"))
    conn = connect_store(source / "station.db", key)
    conn.execute("ATTACH DATABASE ? AS plain KEY ''", [str(target / "station.db")])
    conn.execute("SELECT sqlcipher_export('plain')")
    conn.execute("DETACH DATABASE plain")
    conn.close()
    return target


def _home_key(root: Path, pin: str) -> bytes:
    service = StationService(StationHome(root), credentials=Credentials(pin=pin))
    key = service.store_key()
    service.close()
    assert key is not None
    return key


# -- intake + receipt -------------------------------------------------------------------

def bench_intake(folder: Path, repeat: int) -> dict[str, float]:
    encrypted = make_station(folder / "on")
    key = encrypted.data_key()
    assert key is not None
    plain_home = plain_copy(encrypted.home.root, key, folder / "off" / "village")
    plain = StationService(StationHome(plain_home), clock=lambda: datetime.now(CHINA_TZ),
                           credentials=Credentials(plain=True))
    fields = {f.key: f.example for f in builtin_catalogue().get(ITEM).fields if f.required}
    runs: dict[str, list[float]] = {"on": [], "off": []}
    services = {"on": (encrypted, encrypted.sign_in("A01", "1234")), "off": (plain, plain.sign_in("A01", "1234"))}
    rng = random.Random(7)
    for name, (service, operator) in services.items():
        intake_once(service, operator, fields, folder / f"warm-{name}.png", rng)  # fonts and imports load once
    for _ in range(repeat):  # interleaved
        for name, (service, operator) in services.items():
            began = time.perf_counter()
            intake_once(service, operator, fields, folder / f"r-{name}.png", rng)
            runs[name].append(time.perf_counter() - began)
    for service, _ in services.values():
        service.close()
    return {name: statistics.median(samples) * 1000 for name, samples in runs.items()}


# -- the app's start ----------------------------------------------------------------------

def child(home: str, plain: bool) -> None:
    from station.service import Operator
    from station.tui.app import StationApp
    from station.tui.screens.home import HomeScreen
    from station.tui.screens.sign_in import SignInScreen

    service = StationService(StationHome(Path(home)))
    app = StationApp(service, cursor_blink=False)
    service.unlock(Credentials(plain=True) if plain else Credentials(pin=PIN))  # what signing in does

    async def until_board(pilot) -> None:  # noqa: ANN001
        app.post_message(SignInScreen.OperatorSignedIn(Operator("a01", "李小𠮷", "agent"), was_locked=False))
        while not (isinstance(app.screen, HomeScreen) and app.screen.board_shown):
            await pilot.pause(0.002)
        print(json.dumps({"usable_at": time.time()}), flush=True)
        app.exit()

    app.run(headless=True, size=(80, 24), auto_pilot=until_board)


def _start_once(home: Path, plain: bool) -> float:
    started = time.time()
    out = subprocess.run([sys.executable, __file__, "--child", str(home), str(int(plain))], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    return float(json.loads(out.stdout.strip().splitlines()[-1])["usable_at"]) - started


def bench_start(folder: Path, cases: int, runs: int) -> dict[str, float]:
    encrypted = build_home(folder / "on", cases)
    plain = plain_copy(encrypted, _home_key(encrypted, PIN), folder / "off" / "home")
    homes = {"on": (encrypted, False), "off": (plain, True)}
    for home, is_plain in homes.values():
        _start_once(home, is_plain)  # warm the file cache for both
    samples: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(runs):
        for name, (home, is_plain) in homes.items():
            samples[name].append(_start_once(home, is_plain))
    return {name: statistics.median(values) * 1000 for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--intakes", type=int, default=100)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1] == "1")
        return
    with tempfile.TemporaryDirectory() as tmp:
        intake = bench_intake(Path(tmp) / "intake", args.intakes)
        start = bench_start(Path(tmp) / "start", args.cases, args.runs)
    figures = {"intake_on_ms": intake["on"], "intake_off_ms": intake["off"], "intake_ratio": intake["on"] / intake["off"],
               "start_on_ms": start["on"], "start_off_ms": start["off"], "start_ratio": start["on"] / start["off"],
               "intakes": args.intakes, "cases": args.cases, "runs": args.runs, "cpus": os.cpu_count()}
    if args.json:
        print(json.dumps(figures))
        return
    print(f"intake → durable case + receipt PNG : on {intake['on']:6.1f} ms  off {intake['off']:6.1f} ms  "
          f"ratio {figures['intake_ratio']:.2f} x  (median of {args.intakes}; budget 30 ms)")
    print(f"app start to a usable Today board  : on {start['on']:6.0f} ms  off {start['off']:6.0f} ms  "
          f"ratio {figures['start_ratio']:.2f} x  (median of {args.runs}, {args.cases:,} cases)")


if __name__ == "__main__":
    main()
