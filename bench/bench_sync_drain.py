"""Draining a backlog through a 64 kbit/s link with 300 ms one-way latency, against bytes ÷ bandwidth.

The link is the loopback throttling proxy of tests/support/netproxy.py in front of an
in-process city hall. Baseline: the gzip'd request bodies' bytes at the link's rate.
Budget: ≤ 1.25 × the baseline.

    .venv/bin/python bench/bench_sync_drain.py [--events 10000] [--kbps 64] [--latency-ms 300]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sync.client import AdaptiveBatch, SyncClient, SyncReport  # noqa: E402
from tests.support.events import sample_events  # noqa: E402
from tests.support.hub import free_port, in_process_hub, make_station, topology_for  # noqa: E402
from tests.support.netproxy import ThreadedNetProxy  # noqa: E402

VILLAGE = "420115102203"


class _CountingClient(SyncClient):
    """Counts the request bodies this client put on the link."""

    body_bytes = 0

    def _signed(self, method, path, body=b"", skew_retry=True):  # noqa: ANN001, ANN202
        _CountingClient.body_bytes += len(body)
        return super()._signed(method, path, body, skew_retry)


def drain(events: int, kbps: float, latency_ms: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        port = free_port()
        config = topology_for(folder, port)
        with in_process_hub(folder, config, port) as app:
            village, _, key = make_station(folder, VILLAGE, config)
            app.state.store.enroll(VILLAGE, key)
            with village.store.write():
                for event in sample_events(events):
                    village.store.insert_event(event, recorded_here=True)
            with ThreadedNetProxy(port, bandwidth_bps=kbps * 1000, latency_s=latency_ms / 1000) as proxy:
                _CountingClient.body_bytes = 0
                client = _CountingClient(village, f"http://127.0.0.1:{proxy.port}", give_up_after=600,
                                         batch=AdaptiveBatch())
                started = time.perf_counter()
                client.push_pending(SyncReport())
                elapsed = time.perf_counter() - started
                client.close()
                up, down = proxy.stats.bytes_up, proxy.stats.bytes_down
            assert village.store.outbox_counts()["pending"] == 0
            assert app.state.store.event_total() == events
            village.close()
    ideal = _CountingClient.body_bytes * 8 / (kbps * 1000)
    return {"elapsed_s": elapsed, "ideal_s": ideal, "ratio": elapsed / ideal, "body_bytes": _CountingClient.body_bytes,
            "link_bytes_up": up, "link_bytes_down": down, "final_batch": client.batch.size}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--kbps", type=float, default=64)
    parser.add_argument("--latency-ms", type=float, default=300, help="one-way delay added by the proxy")
    args = parser.parse_args()
    r = drain(args.events, args.kbps, args.latency_ms)
    print(f"drained {args.events} events in {r['elapsed_s']:.1f} s over {args.kbps:g} kbit/s, "
          f"{args.latency_ms:g} ms one-way latency (batch grew to {r['final_batch']})")
    print(f"baseline bytes ÷ bandwidth: {r['ideal_s']:.1f} s for {r['body_bytes']:,} body bytes "
          f"({r['body_bytes'] / args.events:.0f} B/event; link carried {r['link_bytes_up']:,} up, {r['link_bytes_down']:,} down)")
    print(f"ratio: {r['ratio']:.2f}×  (budget ≤ 1.25×)")


if __name__ == "__main__":
    main()
