"""The hub's pure Python per pushed event: judge it, fold it into its case, find the case's viewers.

This is what ``HubStore.ingest`` does for each event between reading the batch and writing
its rows (``_IngestRun._consider``), without a database: the same functions on the same
events, decoded from the same wire batches a village pushes. The baseline, timed in the
same rounds (CPU time, both), decodes each event's canonical JSON with msgspec: a small fixed piece of
per-event work, so that the ratio says how many decodes one judgement costs, whatever
the machine's load.

    .venv/bin/python bench/bench_judging.py [--events 10000] [--rounds 7]
"""
from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgspec  # noqa: E402

from cityhall.app import settle_garbage_collector  # noqa: E402
from forms import Catalogue, builtin_catalogue  # noqa: E402
from station.ledger import CaseState, Event  # noqa: E402
from station.ledger.fold import apply_judged  # noqa: E402
from station.topology import Topology  # noqa: E402
from sync.ingest import judge, viewers_of  # noqa: E402
from sync.wire import decode_events, encode_batch  # noqa: E402
from tests.support.events import sample_events  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PUSH = 100
"""Events per push, as a village sends them."""


def pushed_events(count: int) -> list[Event]:
    """``count`` sample events as the hub holds them: encoded in pushes, then decoded."""
    events = sample_events(count)
    decoded: list[Event] = []
    for start in range(0, count, PUSH):
        batch, _ = decode_events(encode_batch(events[start:start + PUSH]))
        decoded += [event for event in batch if isinstance(event, Event)]
    assert len(decoded) == count
    return decoded


def judge_fold_feed(events: list[Event], topology: Topology, catalogue: Catalogue) -> int:
    """Each event judged against its case so far, folded in, and its case's viewers found; the viewers counted."""
    states: dict[str, CaseState | None] = {}
    viewers = 0
    for event in events:
        state = states.get(event.case)
        judged = judge(state, event, topology, catalogue)
        assert judged.decision == "accept", judged
        state = states[event.case] = apply_judged(state, event, topology, judged.verdict)
        assert state is not None
        viewers += len(viewers_of(state, topology))
    return viewers


def decode_each(texts: list[bytes]) -> int:
    """The baseline: each event's canonical JSON decoded on its own."""
    return sum(len(msgspec.json.decode(text)) for text in texts)


def _seconds(work: object, *args: object) -> float:
    """CPU seconds of ``work(*args)``: the other processes of a shared machine move them less than wall time."""
    gc.collect()  # each round starts from the same collector state: no collection left over from the last
    started = time.process_time()
    work(*args)  # type: ignore[operator]
    return time.process_time() - started


def measure(count: int, rounds: int) -> dict[str, float]:
    topology, catalogue = Topology.load(ROOT / "stations.toml"), builtin_catalogue()
    texts = [event.to_json().encode() for event in sample_events(count)]
    judging, baseline = [], []
    settle_garbage_collector()  # as `cityhall serve` does
    for _ in range(rounds):
        events = pushed_events(count)  # fresh events each round: nothing cached on them from the last
        judging.append(_seconds(judge_fold_feed, events, topology, catalogue))
        baseline.append(_seconds(decode_each, texts))
    return {"judging_s": statistics.median(judging), "baseline_s": statistics.median(baseline),
            "judging_min": min(judging), "judging_max": max(judging)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7, help="rounds of judging then baseline; medians compared")
    args = parser.parse_args()
    figures = measure(args.events, args.rounds)
    per_event = figures["judging_s"] / args.events * 1e6
    print(f"judge + fold + viewers: median {figures['judging_s'] * 1000:.1f} ms for {args.events} events "
          f"({per_event:.1f} µs/event; {figures['judging_min'] * 1000:.1f}–{figures['judging_max'] * 1000:.1f} ms)")
    print(f"baseline msgspec decode of each event's JSON: median {figures['baseline_s'] * 1000:.1f} ms")
    print(f"ratio judging / baseline: {figures['judging_s'] / figures['baseline_s']:.2f}  ({args.rounds} rounds)")


if __name__ == "__main__":
    main()
