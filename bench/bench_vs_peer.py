"""This project's sync against the CHT way (PouchDB replicating to a CouchDB-protocol server), same events, one run.

Both sides get the same events: a village backlog of ``--events`` (received + forwarded
per case), written once as JSON lines for the peer and recorded into a fresh station's
outbox for this project. Each side pushes them to its own server, on loopback and then
through the same slow link (``peer/slowlink.py``: ``--kbit`` each way, ``--delay-ms`` one
way), durable at both ends: PouchDB on LevelDB at both ends; the station's SQLite with
``synchronous=FULL`` and the hub (``cityhall serve``, a process of its own) on SQLite.

Printed, each with its baseline from the same run (medians of ``--rounds`` on loopback,
with the spread):

- loopback: this project's seconds vs the peer's (budget ≤ 1.5 s for 10,000, ≥ 5× faster);
- bytes up the slow link vs gzip of the same events as one stream (budget ≤ 1.5×);
- drain through the slow link vs (those bytes ÷ bandwidth) (budget ≤ 1.25×) and vs the
  peer through the same link (≥ 15× faster).

The peer's npm packages (pouchdb-node 9, express 4, express-pouchdb 4) are installed on
first use into ``$PEER_HOME`` (default ``~/.cache/service-station/peer-pouch``); Node 18+
and npm must be on PATH. The peer through a 64 kbit/s link moves about 0.5 KB an event:
``--slow-events`` runs that part on fewer events when a whole backlog would take too long.

    .venv/bin/python bench/bench_vs_peer.py [--events 10000] [--rounds 3] [--kbit 64] [--delay-ms 300]
        [--slow-events N] [--no-slow]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from station.ledger import Event  # noqa: E402
from sync.client import SyncClient, SyncReport  # noqa: E402
from tests.support.events import sample_events  # noqa: E402
from tests.support.hub import HubProcess, free_port, make_station, topology_for  # noqa: E402

PEER = Path(__file__).resolve().parent / "peer"
PEER_PACKAGES = ("pouchdb-node@9", "express@4", "express-pouchdb@4")
VILLAGE = "420115102203"


class PeerUnavailable(RuntimeError):
    """Node or npm is missing, or the peer's packages could not be installed."""


@dataclass(frozen=True)
class Transfer:
    seconds: float
    bytes_up: int = 0
    bytes_down: int = 0


# -- the peer ---------------------------------------------------------------------------

def peer_home() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "service-station" / "peer-pouch"
    return Path(os.environ.get("PEER_HOME", default))


def install_peer() -> Path:
    """The folder with the peer's node_modules, installed there on first use."""
    if not (shutil.which("node") and shutil.which("npm")):
        raise PeerUnavailable("node and npm are needed for the PouchDB peer")
    home = peer_home()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "node_modules" / "pouchdb-node").is_dir():
        if not (home / "package.json").exists():
            subprocess.run(["npm", "init", "-y"], cwd=home, check=True, capture_output=True)
        installed = subprocess.run(["npm", "install", "--silent", *PEER_PACKAGES], cwd=home, capture_output=True,
                                   text=True, timeout=900)
        if installed.returncode != 0:
            raise PeerUnavailable(f"npm install failed: {installed.stderr[-500:]}")
    for script in ("pouch_server.js", "pouch_replicate.js"):
        shutil.copy(PEER / script, home / script)
    return home


@contextmanager
def pouch_server(home: Path, data: Path) -> Iterator[int]:
    """express-pouchdb on LevelDB in ``data``; yields its port once it answers."""
    port = free_port()
    data.mkdir(parents=True)
    with (data / "server.log").open("wb") as log:
        server = subprocess.Popen(["node", str(home / "pouch_server.js"), str(port), str(data)], cwd=home,
                                  stdout=log, stderr=log)
    try:
        _wait_http(f"http://127.0.0.1:{port}/", server)
        yield port
    finally:
        _stop(server)


def pouch_replicate(home: Path, events_file: Path, port: int, database: str, local: Path) -> float:
    """Seconds PouchDB took to replicate the events into a new database at the server on ``port``."""
    url = f"http://127.0.0.1:{port}/{database}"
    httpx.put(url, timeout=30).raise_for_status()
    local.mkdir(parents=True)
    done = subprocess.run(["node", str(home / "pouch_replicate.js"), str(events_file), url, str(local)], cwd=home,
                          capture_output=True, text=True, timeout=7200, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["written"] != figures["docs"]:
        raise RuntimeError(f"the peer wrote {figures['written']} of {figures['docs']} documents")
    return float(figures["seconds"])


# -- this project -----------------------------------------------------------------------

@contextmanager
def project_hub(folder: Path) -> Iterator[tuple[HubProcess, Path]]:
    """``cityhall serve`` on a fresh SQLite database; yields the process and its stations.toml."""
    folder.mkdir(parents=True)
    port = free_port()
    config = topology_for(folder, port)
    hub = HubProcess(folder, port, config)
    try:
        yield hub, config
    finally:
        hub.stop()


def push_backlog(folder: Path, events: list[Event], via_port: int | None = None) -> tuple[float, int]:
    """A fresh station with ``events`` waiting pushes them all; seconds and request-body bytes."""
    with project_hub(folder / "hub") as (hub, config):
        station, _, public_key = make_station(folder, VILLAGE, config)
        hub.enroll(VILLAGE, public_key)
        hub.start()
        with station.store.write():
            for event in events:
                station.store.insert_event(event, recorded_here=True)
        url = f"http://127.0.0.1:{via_port(hub.port) if via_port else hub.port}"
        with _CountingClient(station, url, give_up_after=3600) as client:
            started = time.perf_counter()
            report = SyncReport()
            client.push_pending(report)
            elapsed = time.perf_counter() - started
        counts = station.store.outbox_counts()
        station.close()
        if report.pushed != len(events) or counts["pending"]:
            raise RuntimeError(f"pushed {report.pushed} of {len(events)}, {counts['pending']} still pending")
        return elapsed, client.body_bytes


class _CountingClient(SyncClient):
    """Counts the request bodies it sent."""

    body_bytes = 0

    def _signed(self, method, path, body=b"", skew_retry=True):  # noqa: ANN001, ANN202
        self.body_bytes += len(body)
        return super()._signed(method, path, body, skew_retry)


# -- the link ---------------------------------------------------------------------------

class SlowLink:
    """``peer/slowlink.py`` in front of a port: bandwidth and delay each way, bytes counted."""

    def __init__(self, kbit: float, delay_ms: float) -> None:
        self.kbit, self.delay_ms = kbit, delay_ms
        self.process: subprocess.Popen[str] | None = None
        self.port = 0

    def start(self, target: int) -> int:
        self.port = free_port()
        self.process = subprocess.Popen([sys.executable, str(PEER / "slowlink.py"), str(self.port), str(target),
                                         "--kbit", str(self.kbit), "--delay-ms", str(self.delay_ms)],
                                        stderr=subprocess.PIPE, text=True)
        _wait_port(self.port)
        return self.port

    def stop(self) -> tuple[int, int]:
        """Bytes up and down that crossed the link."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        _, err = self.process.communicate(timeout=30)
        counts = dict(part.split("=") for part in err.strip().splitlines()[-1].split())
        return int(counts["up"]), int(counts["down"])


# -- the run ----------------------------------------------------------------------------

def write_events(events: list[Event], path: Path) -> int:
    """The events as JSON lines for the peer; returns the size of gzip of that one stream."""
    stream = "".join(event.to_json() + "\n" for event in events).encode("utf-8")
    path.write_bytes(stream)
    return len(gzip.compress(stream, compresslevel=9))


def loopback_rounds(home: Path, folder: Path, events: list[Event], events_file: Path,
                    rounds: int) -> tuple[list[float], list[float]]:
    ours, peer = [], []
    for index in range(rounds):
        with pouch_server(home, folder / f"pouch-{index}") as port:
            peer.append(pouch_replicate(home, events_file, port, "loop", folder / f"pouch-local-{index}"))
        ours.append(push_backlog(folder / f"ours-{index}", events)[0])
    return ours, peer


def slow_round(home: Path, folder: Path, events: list[Event], events_file: Path, kbit: float,
               delay_ms: float) -> dict[str, Transfer]:
    link = SlowLink(kbit, delay_ms)
    with pouch_server(home, folder / "pouch-slow") as port:
        link.start(port)
        seconds = pouch_replicate(home, events_file, link.port, "slow", folder / "pouch-local-slow")
        peer = Transfer(seconds, *link.stop())
    ours_link = SlowLink(kbit, delay_ms)
    seconds, _ = push_backlog(folder / "ours-slow", events, via_port=ours_link.start)
    ours = Transfer(seconds, *ours_link.stop())
    return {"peer": peer, "ours": ours}


def measure(events_count: int, rounds: int, kbit: float, delay_ms: float, slow_events: int | None,
            slow: bool = True) -> dict[str, object]:
    home = install_peer()
    events = sample_events(events_count)
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        events_file = folder / "events.jsonl"
        gzip_bytes = write_events(events, events_file)
        ours, peer = loopback_rounds(home, folder, events, events_file, rounds)
        figures: dict[str, object] = {"events": events_count, "ours_loopback_s": ours, "peer_loopback_s": peer,
                                      "gzip_stream_bytes": gzip_bytes}
        if slow:
            slow_count = min(slow_events or events_count, events_count)
            slow_file = folder / "events-slow.jsonl"
            figures["slow_events"] = slow_count
            figures["slow_gzip_stream_bytes"] = write_events(events[:slow_count], slow_file)
            figures |= {f"{side}_slow": t for side, t in
                        slow_round(home, folder, events[:slow_count], slow_file, kbit, delay_ms).items()}
    return figures


def report(figures: dict[str, object], kbit: float, delay_ms: float) -> list[str]:
    ours, peer = figures["ours_loopback_s"], figures["peer_loopback_s"]
    assert isinstance(ours, list) and isinstance(peer, list)
    n = figures["events"]
    lines = [f"loopback, {n} events, durable at both ends, {len(ours)} rounds:",
             f"  this project: median {statistics.median(ours):.2f} s (spread {min(ours):.2f}–{max(ours):.2f})  "
             f"(budget ≤ 1.5 s for 10,000)",
             f"  PouchDB peer: median {statistics.median(peer):.2f} s (spread {min(peer):.2f}–{max(peer):.2f})",
             f"  ratio peer / this project: {statistics.median(peer) / statistics.median(ours):.1f}×  (budget ≥ 5×)"]
    if "ours_slow" not in figures:
        return lines
    slow_ours, slow_peer = figures["ours_slow"], figures["peer_slow"]
    assert isinstance(slow_ours, Transfer) and isinstance(slow_peer, Transfer)
    count, gzip_bytes = figures["slow_events"], figures["slow_gzip_stream_bytes"]
    assert isinstance(count, int) and isinstance(gzip_bytes, int)
    ideal = slow_ours.bytes_up * 8 / (kbit * 1000)
    lines += [f"slow link {kbit:g} kbit/s, {delay_ms:g} ms one way, {count} events:",
              f"  bytes up: this project {slow_ours.bytes_up:,} ({slow_ours.bytes_up / count:.1f} B/event), "
              f"peer {slow_peer.bytes_up:,} ({slow_peer.bytes_up / count:.1f} B/event); "
              f"down: {slow_ours.bytes_down:,} / {slow_peer.bytes_down:,}",
              f"  baseline gzip of the same events as one stream: {gzip_bytes:,} ({gzip_bytes / count:.1f} B/event); "
              f"ratio {slow_ours.bytes_up / gzip_bytes:.2f}×  (budget ≤ 1.5×)",
              f"  drain: this project {slow_ours.seconds:.1f} s, bytes ÷ bandwidth {ideal:.1f} s, "
              f"ratio {slow_ours.seconds / ideal:.2f}×  (budget ≤ 1.25×)",
              f"  peer through the same link: {slow_peer.seconds:.1f} s; ratio peer / this project "
              f"{slow_peer.seconds / slow_ours.seconds:.1f}×  (budget ≥ 15×)"]
    return lines


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {timeout:g} s")


def _wait_port(port: int, timeout: float = 10.0) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="loopback rounds (the median is compared)")
    parser.add_argument("--kbit", type=float, default=64)
    parser.add_argument("--delay-ms", type=float, default=300, help="one-way delay of the slow link")
    parser.add_argument("--slow-events", type=int, default=None, help="events through the slow link (default: all)")
    parser.add_argument("--no-slow", action="store_true", help="loopback only")
    args = parser.parse_args()
    try:
        figures = measure(args.events, args.rounds, args.kbit, args.delay_ms, args.slow_events, not args.no_slow)
    except PeerUnavailable as missing:
        sys.exit(f"bench_vs_peer: {missing}")
    print("\n".join(report(figures, args.kbit, args.delay_ms)))


if __name__ == "__main__":
    main()
