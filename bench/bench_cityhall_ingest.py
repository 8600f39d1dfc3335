"""City hall ingest of signed batches vs a bare Starlette+SQLite insert of the same batches.

Both servers run on uvicorn in this process on loopback, both on SQLite with WAL and
synchronous=FULL; the client sends the same batches one after another. Each round starts
both servers on fresh databases, warms them with the same few batches, then times the
rest; the medians of the rounds are compared, since the machine is shared.
Budget: hub ≥ 50 % of the bare insert's events per second.

``--body push`` (the default) sends what a station sends: zstd column-major pushes
(``encode_push``), to ``/api/v1/sync/push?answers=compact`` as ``SyncClient`` does.
``--body gzip`` sends the older gzip'd batches (``encode_batch``), which the hub still takes
(relayed bundles carry them). The bare server decompresses and parses either with the
same libraries and answers in the same compact shape.

    .venv/bin/python bench/bench_cityhall_ingest.py [--events 5000] [--batch 100] [--rounds 3]
        [--body push|gzip] [--without-judging]
"""
from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
import orjson  # noqa: E402
import uvicorn  # noqa: E402
import zstandard  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

from cityhall.app import HubSettings, create_app, settle_garbage_collector  # noqa: E402
from station.keys import public_key_text  # noqa: E402
from station.ledger import Event  # noqa: E402
from sync.signing import signed_headers  # noqa: E402
from sync.wire import MAX_PUSH_INFLATED, columns_to_dicts, encode_batch, encode_push, gunzip_json  # noqa: E402
from tests.support.events import sample_events  # noqa: E402
from tests.support.hub import free_port, topology_for  # noqa: E402

VILLAGE = "420115102203"
_WARM_UP = 300
"""Events sent to each server before timing (both are long-running servers, timed warm)."""
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
BODIES = {"push": encode_push, "gzip": encode_batch}
"""How a batch of events becomes a request body, by ``--body``."""


def bare_columns(body: bytes) -> dict[str, list[Any]]:
    """The events' columns of either body, with no checks: what a bare server would do."""
    if body[:4] == _ZSTD_MAGIC:
        return orjson.loads(zstandard.ZstdDecompressor().decompress(body, max_output_size=MAX_PUSH_INFLATED))["events"]
    return gunzip_json(body)["events"]


def bare_app(db_path: Path) -> Starlette:
    conn = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, case_no TEXT, body TEXT)")
    lock = threading.Lock()

    async def push(request: Request) -> JSONResponse:
        import json
        rows = columns_to_dicts(bare_columns(await request.body()))
        with lock:
            conn.execute("BEGIN")
            conn.executemany("INSERT OR IGNORE INTO events (id, case_no, body) VALUES (?, ?, ?)",
                             [(r["id"], r["case"], json.dumps(r, ensure_ascii=False)) for r in rows])
            conn.execute("COMMIT")
        return JSONResponse({"statuses": ["accepted"] * len(rows)})  # the hub's compact answer

    return Starlette(routes=[Route("/push", push, methods=["POST"])])


def serve(app: object, port: int) -> uvicorn.Server:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return server


def drive(url: str, path: str, batches: list[bytes], key: Ed25519PrivateKey | None) -> float:
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=60) as client:
        for body in batches:
            headers = signed_headers(key, VILLAGE, "POST", path, body, time.time()) if key else {}
            encoding = "zstd" if body[:4] == _ZSTD_MAGIC else "gzip"
            response = client.post(path, content=body, headers=headers | {"Content-Encoding": encoding})
            assert response.status_code == 200, response.text
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of bare then hub; medians are compared")
    parser.add_argument("--body", choices=sorted(BODIES), default="push",
                        help="push: what a station sends (zstd columns); gzip: the older batches")
    parser.add_argument("--without-judging", action="store_true",
                        help="diagnostic: the hub accepts every event unjudged (no fold, no feed, no case state), "
                             "to show what signing, decoding, dedupe, the chain and the commit cost alone")
    args = parser.parse_args()
    if args.without_judging:
        _accept_without_judging()
    figures = measure(args.events, args.batch, args.rounds, args.body)
    hub_s, bare_s = figures["hub_s"], figures["bare_s"]
    what = "signed, NOT judged: diagnostic" if args.without_judging else "signed, judged, feed"
    print(f"hub ingest ({what}, SQLite, {args.body} bodies of {args.batch}): {args.events / hub_s:,.0f} events/s "
          f"(median {hub_s:.2f} s for {args.events})")
    print(f"baseline bare Starlette+SQLite insert:     {args.events / bare_s:,.0f} events/s (median {bare_s:.2f} s)")
    print(f"ratio hub / baseline: {figures['ratio']:.0%}  (budget ≥ 50 %; {args.rounds} rounds, "
          f"hub {_seconds(figures['hub_rounds'])} s, bare {_seconds(figures['bare_rounds'])} s)")


def measure(count: int, batch: int, rounds: int, body: str = "push") -> dict[str, Any]:
    """Median seconds of each server over ``rounds`` warm rounds, and hub rate ÷ bare rate."""
    events = sample_events(_WARM_UP + count)
    batches = [BODIES[body](events[i:i + batch]) for i in range(0, len(events), batch)]
    warm_up, timed = batches[:_WARM_UP // batch], batches[_WARM_UP // batch:]
    bare_times, hub_times = [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as folder_name:
            bare_times.append(time_bare(Path(folder_name), warm_up, timed))
            hub_times.append(time_hub(Path(folder_name), warm_up, timed, count))
    bare_s, hub_s = statistics.median(bare_times), statistics.median(hub_times)
    return {"hub_s": hub_s, "bare_s": bare_s, "ratio": bare_s / hub_s, "hub_rounds": hub_times,
            "bare_rounds": bare_times}


def _accept_without_judging() -> None:
    from cityhall.store import _IngestRun

    def accept(run: _IngestRun, event: Event, from_parking: bool = False) -> None:
        run.pending_events.append((run._take_seq(), event))
        run._answer(event, "accepted")

    _IngestRun._consider = accept  # type: ignore[method-assign]


def _seconds(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


def time_bare(folder: Path, warm_up: list[bytes], timed: list[bytes]) -> float:
    port = free_port()
    server = serve(bare_app(folder / "bare.db"), port)
    settle_garbage_collector()  # the same process-wide tuning as the hub's, so neither side gains from it
    try:
        drive(f"http://127.0.0.1:{port}", "/push", warm_up, None)
        return drive(f"http://127.0.0.1:{port}", "/push", timed, None)
    finally:
        server.should_exit = True


_HUB_PUSH = "/api/v1/sync/push?answers=compact"
"""The station's own request (``SyncClient._send_batch``)."""


def time_hub(folder: Path, warm_up: list[bytes], timed: list[bytes], expected: int) -> float:
    port = free_port()
    app = create_app(HubSettings(f"sqlite:///{folder / 'hub.db'}", topology_for(folder, port)))
    key = Ed25519PrivateKey.generate()
    app.state.store.enroll(VILLAGE, public_key_text(key))
    server = serve(app, port)
    settle_garbage_collector()  # as `cityhall serve` does once the app is built
    try:
        drive(f"http://127.0.0.1:{port}", _HUB_PUSH, warm_up, key)
        seconds = drive(f"http://127.0.0.1:{port}", _HUB_PUSH, timed, key)
        assert app.state.store.event_total() == _WARM_UP + expected
        return seconds
    finally:
        server.should_exit = True
        app.state.store.engine.dispose()


if __name__ == "__main__":
    main()
