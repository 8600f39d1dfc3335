"""What one unauthenticated oversized body costs the hub: its answer, ``/healthz`` meanwhile, memory.

    python bench/bench_public_bodies.py --mib 19

Starts ``cityhall serve`` on SQLite, posts a JSON rating body, a form rating body and a JSON body of
millions of empty objects, each of ``--mib`` MiB, to the public rating routes (no station, no token needed to send one), and
meanwhile asks ``/healthz`` every 50 ms. Prints, per body: the answer's status and time,
the slowest ``/healthz`` while it was in flight, and the hub's peak resident memory (VmHWM).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.demo import DEMO_TOPOLOGY_FILE  # noqa: E402
from tests.support.hubproc import HubProcess  # noqa: E402

CASE = "4201151022032026112200075"
TOKEN = "AAAAAAAAAAAAAAAA"


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def slowest_health(url: str, stop: threading.Event, worst: list[float]) -> None:
    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            began = time.monotonic()
            client.get(url + "/healthz")
            worst[0] = max(worst[0], time.monotonic() - began)
            time.sleep(0.05)


def send(hub: HubProcess, path: str, body: bytes, content_type: str) -> None:
    stop, worst = threading.Event(), [0.0]
    watcher = threading.Thread(target=slowest_health, args=(hub.url, stop, worst), daemon=True)
    watcher.start()
    began = time.monotonic()
    try:
        status = str(httpx.post(hub.url + path, content=body, headers={"Content-Type": content_type},
                                timeout=120).status_code)
    except httpx.HTTPError as exc:  # the hub may close the connection while the client still sends
        status = type(exc).__name__
    took = time.monotonic() - began
    time.sleep(0.3)
    stop.set()
    watcher.join()
    assert hub.process is not None
    print(f"{path:<55} {len(body) / 2**20:6.1f} MiB  answer {status:<14} in {took:6.2f} s  "
          f"slowest /healthz {worst[0]:6.2f} s  hub peak RSS {peak_rss_mb(hub.process.pid):7.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mib", type=float, default=19.0)
    args = parser.parse_args()
    size = int(args.mib * 2**20)
    folder = Path(tempfile.mkdtemp(prefix="bench-public-"))
    with HubProcess(f"sqlite:///{folder / 'hub.db'}", DEMO_TOPOLOGY_FILE) as hub:
        comment = b"x" * size
        send(hub, f"/api/v1/track/{CASE}/{TOKEN}/rating", b'{"level": 5, "comment": "' + comment + b'"}',
             "application/json")
        send(hub, f"/T/{CASE}/{TOKEN}/rating", b"level=5&comment=" + comment, "application/x-www-form-urlencoded")
        objects = b"{}," * (size // 3)  # millions of tiny objects: what costs a JSON parser most
        send(hub, f"/api/v1/track/{CASE}/{TOKEN}/rating", b'{"level": 5, "x": [' + objects + b'{}]}', "application/json")


if __name__ == "__main__":
    main()
