"""A station pulling 10,000 events from the city hall on loopback (budget ≤ 3 s).

Baseline in the same run: fetching the same pages without applying them (network,
signing and decoding only), so the figure shows what applying and folding costs.

    .venv/bin/python bench/bench_sync_pull.py [--events 10000]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sync.client import SyncClient  # noqa: E402
from tests.support.events import sample_events  # noqa: E402
from tests.support.hub import free_port, in_process_hub, make_station, topology_for  # noqa: E402

VILLAGE, TOWNSHIP = "420115102203", "420115102000"


def measure(count: int) -> dict[str, float]:
    """A township pulls ``count`` events: raw page fetches first (the baseline), then a real pull."""
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        port = free_port()
        config = topology_for(folder, port)
        with in_process_hub(folder, config, port) as app:
            store = app.state.store
            events = sample_events(count)
            for start in range(0, count, 1000):
                store.ingest(events[start:start + 1000], VILLAGE, time.time())
            township, _, key = make_station(folder, TOWNSHIP, config, role="approver", agent="T01")
            store.enroll(TOWNSHIP, key)
            with SyncClient(township, give_up_after=30) as client:
                started = time.perf_counter()
                fetched = _fetch_pages(client)
                baseline_s = time.perf_counter() - started
                started = time.perf_counter()
                pulled = client.pull_all()
                pull_s = time.perf_counter() - started
            assert pulled == fetched == count, (pulled, fetched)
            assert len(township.list_cases(limit=count)) == count // 2 + count % 2
            township.close()
    return {"pull_s": pull_s, "baseline_s": baseline_s, "ratio": pull_s / baseline_s}


def _fetch_pages(client: SyncClient) -> int:
    cursor, fetched = 0, 0
    while True:
        page = client._signed("GET", f"/api/v1/sync/pull?after={cursor}&limit=2000").json()
        fetched += len(page["events"]["id"])
        cursor = page["cursor"]
        if not page["more"]:
            return fetched


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    count = parser.parse_args().events
    figures = measure(count)
    print(f"station pull of {count} events, applied and folded: {figures['pull_s']:.2f} s  (budget ≤ 3 s)")
    print(f"baseline fetch of the same pages without applying: {figures['baseline_s']:.2f} s; "
          f"ratio {figures['ratio']:.1f}×")


if __name__ == "__main__":
    main()
