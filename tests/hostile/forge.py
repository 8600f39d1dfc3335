"""What a hostile but enrolled station sends: events it makes up, signed with its own real key.

Nothing here goes through the station's service layer (which would refuse most of it):
requests are built by hand, as a tampered station PC would build them, and signed with
``sync.signing`` so the hub cannot tell them from a real station's traffic by their form.
"""
from __future__ import annotations

import copy
import json
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import psutil
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from station.ledger import new_event_id
from station.ledger.hlc import format_hlc, parse_hlc
from sync.signing import signed_headers
from sync.wire import dicts_to_columns, gzip_json

__all__ = ["Signer", "forged_event", "hlc_before", "hlc_after", "statuses", "reasons", "HubWatch", "watch_hub",
           "gzip_bomb", "json_bytes", "PUSH", "PULL"]

PUSH = "/api/v1/sync/push"
PULL = "/api/v1/sync/pull"


@dataclass(frozen=True)
class Signer:
    """A station's own key and code: every request it signs is authentic, whatever it says."""

    code: str
    key: Ed25519PrivateKey
    url: str

    def send(self, method: str, path: str, body: bytes = b"", timeout: float = 30.0) -> httpx.Response:
        headers = signed_headers(self.key, self.code, method, path, body, time.time())
        return httpx.request(method, self.url + path, content=body, headers=headers, timeout=timeout)

    def push_body(self, body: bytes, timeout: float = 30.0) -> httpx.Response:
        return self.send("POST", PUSH, body, timeout)

    def push(self, events: list[dict[str, Any]]) -> httpx.Response:
        """Push event dicts as the wire carries them (column-major, gzip'd JSON)."""
        return self.push_body(gzip_json({"w": 1, "events": dicts_to_columns(events)}))

    def pull_everything(self, limit: int = 1000) -> tuple[list[dict[str, Any]], int]:
        """Every event the hub hands this station, and the bytes that took on the wire (gzip'd)."""
        events: list[dict[str, Any]] = []
        after, wire_bytes = 0, 0
        for _ in range(1000):
            answer = self.send("GET", f"{PULL}?after={after}&limit={limit}")
            assert answer.status_code == 200, answer.text[:500]
            wire_bytes += int(answer.headers.get("content-length") or len(answer.content))
            page = answer.json()
            columns = page["events"]
            events += [{c: columns[c][i] for c in columns} for i in range(len(columns["id"]))]
            if not page["more"]:
                break
            after = page["cursor"]
        return events, wire_bytes


def forged_event(station: str, case: str, kind: str, *, hlc: str, data: dict[str, Any] | None = None,
                 role: str = "agent", actor: str = "A01", at: str | None = None, event_id: str | None = None,
                 prev: str = "") -> dict[str, Any]:
    """An event envelope as a station would record it; every field is the sender's choice."""
    physical_ms, _ = parse_hlc(hlc)
    stamp = at or time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(physical_ms / 1000 + 8 * 3600))
    return {"id": event_id or new_event_id(), "case": case, "kind": kind, "hlc": hlc, "at": stamp,
            "station": station, "actor": actor, "data": copy.deepcopy(data or {}), "v": 1, "role": role,
            "prev": prev}


def hlc_before(hlc: str, ms: int = 3_600_000) -> str:
    return format_hlc(parse_hlc(hlc)[0] - ms, 0)


def hlc_after(hlc: str, ms: int = 1_000) -> str:
    return format_hlc(parse_hlc(hlc)[0] + ms, 0)


def statuses(answer: httpx.Response) -> list[str]:
    """The per-event answers of a push, in request order."""
    assert answer.status_code == 200, f"push answered {answer.status_code}: {answer.text[:500]}"
    return [result["status"] for result in answer.json()["results"]]


def reasons(answer: httpx.Response) -> list[str]:
    return [result.get("reason") or "" for result in answer.json()["results"]]


def gzip_bomb(prefix: bytes, unit: bytes, count: int, suffix: bytes) -> bytes:
    """``prefix + unit * count + suffix`` gzip'd without ever holding the inflated text."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = unit * 65536
    parts = [packer.compress(prefix)]
    whole, rest = divmod(count, 65536)
    parts += [packer.compress(chunk) for _ in range(whole)]
    parts += [packer.compress(unit * rest), packer.compress(suffix), packer.flush()]
    return b"".join(parts)


@dataclass
class HubWatch:
    """What the hub process did while something ran: its memory and how fast /healthz answered."""

    baseline_rss: int
    peak_rss: int = 0
    slowest_health_s: float = 0.0
    health_failures: int = 0
    killed_for_memory: bool = False
    samples: int = 0
    health_checks: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def growth_mb(self) -> float:
        return (self.peak_rss - self.baseline_rss) / 2**20


def _tree_rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss + sum(child.memory_info().rss for child in process.children(recursive=True))
    except psutil.Error:
        return 0


@contextmanager
def watch_hub(pid: int, url: str, kill_above_mb: float = 1024.0,
              on_kill: Callable[[], None] | None = None) -> Iterator[HubWatch]:
    """Sample the hub's RSS every 10 ms and time /healthz every 50 ms while the block runs.

    A hub that grows by more than ``kill_above_mb`` is killed on the spot (the machine is
    shared; the test has already failed by then): ``killed_for_memory`` says so.
    """
    process = psutil.Process(pid)
    watch = HubWatch(baseline_rss=_tree_rss(process))

    def sample_memory() -> None:
        while not watch._stop.is_set():
            rss = _tree_rss(process)
            watch.peak_rss, watch.samples = max(watch.peak_rss, rss), watch.samples + 1
            if rss - watch.baseline_rss > kill_above_mb * 2**20 and not watch.killed_for_memory:
                watch.killed_for_memory = True
                (on_kill or process.kill)()
            time.sleep(0.01)

    def time_health() -> None:
        with httpx.Client(timeout=10.0) as client:
            while not watch._stop.is_set():
                started = time.monotonic()
                try:
                    ok = client.get(url + "/healthz").status_code == 200
                except httpx.HTTPError:
                    ok = False
                took = time.monotonic() - started
                watch.health_checks += 1
                if not ok:
                    watch.health_failures += 1
                watch.slowest_health_s = max(watch.slowest_health_s, took)
                time.sleep(0.05)

    threads = [threading.Thread(target=sample_memory, daemon=True), threading.Thread(target=time_health, daemon=True)]
    for thread in threads:
        thread.start()
    time.sleep(0.1)
    try:
        yield watch
    finally:
        time.sleep(0.2)
        watch._stop.set()
        for thread in threads:
            thread.join(15)


def json_bytes(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
