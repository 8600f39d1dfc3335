"""Short runs of the sync benchmarks, so they keep working and their figures stay in range."""
from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _bench(name: str):  # noqa: ANN202 - a module loaded from a file
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_drain_through_a_slow_link_is_close_to_bytes_over_bandwidth() -> None:
    figures = _bench("bench_sync_drain").drain(events=300, kbps=64, latency_ms=300)
    # 300 events are about one second of link time, so the connection's and the batch's round
    # trips (1.2 s) weigh far more than in the 10k run: a tripwire for a collapse, not the budget
    assert figures["ratio"] <= 4.0, figures
    assert figures["body_bytes"] / 300 <= 45


def test_wire_bytes_per_event_within_budget() -> None:
    assert _bench("bench_sync_wire").measure(100)["wire_bytes_per_event"] <= 200


def test_city_hall_ingest_bench_times_both_servers_and_gives_a_ratio() -> None:
    figures = _bench("bench_cityhall_ingest").measure(count=400, batch=100, rounds=1)
    assert figures["hub_s"] > 0 and figures["bare_s"] > 0  # each server stored every event (asserted inside)
    assert figures["ratio"] > 0.1, figures  # a tripwire far below the budget: only a collapse trips it


def test_pull_bench_applies_every_event() -> None:
    figures = _bench("bench_sync_pull").measure(600)  # asserts every event pulled, applied and folded into cases
    assert figures["pull_s"] < 10, figures
