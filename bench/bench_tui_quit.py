"""``ctrl+q`` to the shell while the city hall is unreachable and a sync round is in flight (budget ≤ 0.3 s).

The city hall here is a loopback socket that accepts connections and never answers (a hub
that hangs), so the app's background sync is mid-request when ``ctrl+q`` is pressed. A
child process runs the real app (headless, 80×24) with its real background sync, signs
in, waits until the sync's request has reached the socket, notes the time and presses
``ctrl+q``, then closes and leaves the way ``station tui`` does; the figure is from that key to the
child's exit as the parent sees it. Baseline in the same run: the same child that exits
without starting the app, so the interpreter's own shutdown is not counted against the app.

    .venv/bin/python bench/bench_tui_quit.py [--rounds 5]
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.hub import ROOT, make_station  # noqa: E402


class HangingHub:
    """Accepts connections, reads what comes, never answers; counts connections."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.listener.close()
        for conn in self.held:
            conn.close()


def child(home: str, connected_file: str, start_app: bool) -> None:
    if not start_app:
        print(json.dumps({"key_at": time.time()}), flush=True)
        return
    from station.cli.core import leave_now
    from station.home import StationHome
    from station.service import Operator, StationService
    from station.tui.app import StationApp
    from station.tui.screens.home import HomeScreen
    from station.tui.screens.sign_in import SignInScreen
    from station.tui.sync_port import connect_sync

    from station.lockbox import Credentials

    service = StationService(StationHome(Path(home)), credentials=Credentials(pin="1234"))
    service.unlock(service.credentials)  # what signing in does
    app = StationApp(service, sync=lambda: connect_sync(service), cursor_blink=False)
    marks: dict[str, float] = {}

    async def quit_mid_sync(pilot) -> None:  # noqa: ANN001
        app.post_message(SignInScreen.OperatorSignedIn(Operator("A01", "王小丽", "agent"), was_locked=False))
        while not (isinstance(app.screen, HomeScreen) and app.screen.board_shown):
            await pilot.pause(0.01)
        while not Path(connected_file).read_text().strip():  # the background round is waiting on the hub
            await pilot.pause(0.01)
        await pilot.pause(0.2)
        marks["key_at"] = time.time()
        await pilot.press("ctrl+q")

    try:
        app.run(headless=True, size=(80, 24), auto_pilot=quit_mid_sync)
    finally:  # what station.tui.app.run closes after the app
        marks["app_done_at"] = time.time()
        closing = getattr(app._sync_source, "close", None)
        if callable(closing):
            closing()
        marks["sync_closed_at"] = time.time()
        service.close()
        marks["closed_at"] = time.time()
    print(json.dumps(marks), flush=True)
    leave_now()  # what ``station tui`` does next


def one_round(home: Path, start_app: bool) -> float:
    hub = HangingHub()
    connected = home.parent / "connected"
    connected.write_text("")
    watcher = threading.Thread(target=_note_connection, args=(hub, connected), daemon=True)
    watcher.start()
    env = os.environ | {"STATION_CITYHALL_URL": f"http://127.0.0.1:{hub.port}"}
    process = subprocess.Popen([sys.executable, __file__, "--child", str(home), str(connected), str(int(start_app))],
                               stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    out, _ = process.communicate(timeout=120)
    exited_at = time.time()
    hub.close()
    if process.returncode != 0:
        raise RuntimeError(f"the app exited with {process.returncode}")
    marks = json.loads(out.strip().splitlines()[-1])
    if os.environ.get("BENCH_QUIT_DETAIL"):
        print({k: round(v - marks["key_at"], 3) for k, v in marks.items()} | {"exit": round(exited_at - marks["key_at"], 3)})
    return exited_at - marks["key_at"]


def _note_connection(hub: HangingHub, connected: Path) -> None:
    deadline = time.monotonic() + 60
    while not hub.held and time.monotonic() < deadline:
        time.sleep(0.01)
    connected.write_text("1")


def measure(rounds: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        service, _, _ = make_station(folder, "420115102203", ROOT / "stations.toml")
        service.close()
        home = folder / "420115102203"
        quit_s, baseline_s = [], []
        for _ in range(rounds):
            quit_s.append(one_round(home, start_app=True))
            baseline_s.append(one_round(home, start_app=False))
    return {"quit_s": quit_s, "baseline_s": baseline_s}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4] == "1")
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    figures = measure(parser.parse_args().rounds)
    quit_s, baseline_s = figures["quit_s"], figures["baseline_s"]
    print(f"ctrl+q to the shell, hub hanging, sync in flight: median {statistics.median(quit_s):.3f} s "
          f"(spread {min(quit_s):.3f}–{max(quit_s):.3f}, {len(quit_s)} rounds)  (budget ≤ 0.3 s)")
    print(f"baseline: the same child exiting without the app: median {statistics.median(baseline_s):.3f} s")


if __name__ == "__main__":
    main()
