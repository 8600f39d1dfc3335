"""Start-up of the station app to a usable Today board with 100,000 cases, and its memory.

Compared in the same run with a minimal Textual app started the same way (a fresh
Python process, headless, until the first screen is up). Budget: ≤ 1.2 × the minimal
app's time, ≤ 150 MB RSS.

    .venv/bin/python bench/bench_tui_startup.py [--cases 100000] [--runs 5]
"""
from __future__ import annotations

import argparse
import json
import py_compile
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VILLAGE, TOWNSHIP = "420115102203", "420115102000"
PIN = "2468"
_STATUS_WEIGHTS = {"delivered": 85, "withdrawn": 5, "received": 3, "submitted": 3, "accepted": 2,
                   "approved": 1, "needs_supplement": 1}


# -- the store with many cases ------------------------------------------------------

def build_home(root: Path, cases: int) -> Path:
    from station.home import StationHome
    from station.service import IntakeRequest, StationService, init_station

    home = StationHome(root / "home")
    init_station(home, VILLAGE, ROOT / "stations.toml")
    service = StationService(home)
    agent = service.add_agent("a01", "李小𠮷", "agent", PIN)
    item = service.catalogue.get("420115GF0002")
    fields = {spec.key: spec.example for spec in item.fields}
    template = service.intake(agent, IntakeRequest(item.code, "420115199001011238", "王𠮷祥", None, fields,
                                                   [m.key for m in item.materials], []))["case_no"]
    _copy_case(service, template, cases - 1)
    service.close()
    return home.root


def _copy_case(service, template: str, copies: int) -> None:  # noqa: ANN001 - StationService
    from station.ledger import make_case_no

    event_body = service.store.db.execute("SELECT body FROM events WHERE case_no = ?", [template]).fetchone()[0]
    row = dict(zip(["status", "item_code", "item_name", "origin", "handler", "applicant_id", "applicant_name",
                    "received_on", "last_hlc", "state"],
                   service.store.db.execute("SELECT status, item_code, item_name, origin, handler, applicant_id, "
                                            "applicant_name, received_on, last_hlc, state FROM cases "
                                            "WHERE case_no = ?", [template]).fetchone()))
    rng = random.Random(7)
    today = service.today()
    statuses, weights = zip(*_STATUS_WEIGHTS.items())
    events, cases = [], []
    for index in range(copies):
        day = today - timedelta(days=1 + index // 100)
        case_no = make_case_no(VILLAGE, day, index % 100 + 1)
        status = rng.choices(statuses, weights)[0]
        handler = VILLAGE if status == "received" else TOWNSHIP
        deadline = (today + timedelta(days=rng.randint(-5, 20))).isoformat() if status in (
            "accepted", "approved", "delivered") else None
        event_id = f"BENCH{index:021d}"
        events.append((event_id, case_no, "received", row["last_hlc"], day.isoformat() + "T09:00:00+08:00",
                       VILLAGE, "a01", event_body.replace(template, case_no), 0))
        cases.append((case_no, status, row["item_code"], row["item_name"], VILLAGE, handler,
                       row["applicant_id"], row["applicant_name"], day.isoformat(), deadline, None, 0,
                       row["last_hlc"], row["state"].replace(template, case_no)))
    with service.store.write() as db:
        db.conn.executemany("INSERT INTO events (id, case_no, kind, hlc, at, station, actor, body, recorded_here) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", events)
        db.conn.executemany("INSERT INTO cases (case_no, status, item_code, item_name, origin, handler, "
                            "applicant_id, applicant_name, received_on, deadline, supplement_due, conflicts, "
                            "last_hlc, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", cases)


# -- the child processes -------------------------------------------------------------

_scrypt_seconds = [0.0]


def _time_the_scrypt() -> None:
    """Only the PIN's key derivation is left out: the imports and the store's opening count."""
    from station import pins

    derive = pins.pin_digest

    def timed(pin: str, salt: bytes) -> bytes:
        began = time.time()
        try:
            return derive(pin, salt)
        finally:
            _scrypt_seconds[0] += time.time() - began

    pins.pin_digest = timed  # what every unlock's PinDigests computes with


def child_station(home: str) -> None:
    from station.tui.collector import pause_collection

    pause_collection()  # as ``station tui`` starts (station/cli/core.py)
    from station.home import StationHome
    from station.lockbox import Credentials
    from station.service import Operator, StationService
    from station.tui.app import StationApp
    from station.tui.screens.home import HomeScreen
    from station.tui.screens.sign_in import SignInScreen

    _time_the_scrypt()
    service = StationService(StationHome(Path(home)))
    app = StationApp(service, cursor_blink=False)
    operator = Operator("a01", "李小𠮷", "agent")  # the PIN check is the operator's time, not start-up's
    service.unlock(Credentials(pin=PIN))  # ... and so is the scrypt of that PIN that unwraps the store's key
    sign_in_s = _scrypt_seconds[0]

    async def until_board(pilot) -> None:  # noqa: ANN001
        pause_collection()  # as the sign-in screen does on Enter
        app.post_message(SignInScreen.OperatorSignedIn(operator, was_locked=False))
        while not (isinstance(app.screen, HomeScreen) and app.screen.board_shown):
            await pilot.pause(0.002)
        _report(app, sign_in_s)

    app.run(headless=True, size=(80, 24), auto_pilot=until_board)


def child_minimal() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, OptionList

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield OptionList("hello", "world")
            yield Footer()

    app = Minimal()

    async def until_shown(pilot) -> None:  # noqa: ANN001
        await pilot.pause()
        _report(app)

    app.run(headless=True, size=(80, 24), auto_pilot=until_shown)


def _report(app, sign_in_s: float = 0.0) -> None:  # noqa: ANN001
    import psutil

    print(json.dumps({"usable_at": time.time(), "sign_in": sign_in_s, "rss": psutil.Process().memory_info().rss}),
          flush=True)
    app.exit()


def _run_child(*args: str) -> dict[str, float]:
    started = time.time()
    out = subprocess.run([sys.executable, "-m", Path(__file__).stem, "--child", *args], capture_output=True,
                         text=True, check=True, cwd=Path(__file__).parent)  # -m: from its bytecode, as any module
    result = json.loads(out.stdout.strip().splitlines()[-1])
    whole = result["usable_at"] - started
    return {"seconds": whole - result["sign_in"], "with_sign_in": whole, "sign_in": result["sign_in"],
            "rss": result["rss"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        child_station(args.child[1]) if args.child[0] == "station" else child_minimal()
        return
    from bench_cli_start import compile_bytecode

    compile_bytecode()  # as an install leaves it: a module compiled at each start would be timed too
    py_compile.compile(__file__)  # the children's own module, for both alike
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        home = build_home(Path(tmp), args.cases)
        print(f"store with {args.cases:,} cases built in {time.perf_counter() - began:.1f} s")
        _run_child("minimal")  # warm the file cache for both
        _run_child("station", str(home))
        station_runs, minimal_runs = [], []
        for _ in range(args.runs):  # interleaved, so both see the same machine
            minimal_runs.append(_run_child("minimal"))
            station_runs.append(_run_child("station", str(home)))
    station_s = statistics.median(r["seconds"] for r in station_runs)
    minimal_s = statistics.median(r["seconds"] for r in minimal_runs)
    rss_mb = max(r["rss"] for r in station_runs) / 2**20
    print(f"minimal Textual app to first screen : {minimal_s * 1000:7.0f} ms (median of {args.runs})")
    print(f"station app to a usable Today board : {station_s * 1000:7.0f} ms (median of {args.runs})")
    sign_in_s = statistics.median(r["sign_in"] for r in station_runs)
    whole_s = statistics.median(r["with_sign_in"] for r in station_runs)
    print(f"  (left out: the operator's sign-in, the PIN's scrypt that unlocks the store: {sign_in_s * 1000:.0f} ms;"
          f" with it {whole_s * 1000:.0f} ms, {whole_s / minimal_s:.2f} x)")
    spread = sorted(r["seconds"] / m["seconds"] for r, m in zip(station_runs, minimal_runs))
    print(f"ratio                               : {station_s / minimal_s:7.2f} x   (budget 1.20; "
          f"pairs {spread[0]:.2f}-{spread[-1]:.2f})")
    print(f"station app RSS with {args.cases:,} cases   : {rss_mb:7.1f} MB  (budget 150)")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
