"""Bytes on the wire per typical event (budget ≤ 200), against plain JSON of the same events.

    .venv/bin/python bench/bench_sync_wire.py [--events 100]
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sync.wire import encode_batch  # noqa: E402
from tests.support.events import sample_events  # noqa: E402


def measure(batch_size: int) -> dict[str, float]:
    events = sample_events(batch_size)
    plain = json.dumps([e.to_dict() for e in events], ensure_ascii=False).encode()
    return {"events": batch_size, "wire_bytes_per_event": len(encode_batch(events)) / batch_size,
            "gzip_list_of_objects_per_event": len(gzip.compress(plain, 9)) / batch_size,
            "plain_json_per_event": len(plain) / batch_size}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100, help="batch size (a village pushes ~100 at a time)")
    figures = measure(parser.parse_args().events)
    print(f"wire (gzip, column-major): {figures['wire_bytes_per_event']:.0f} B/event  (budget ≤ 200)")
    print(f"baseline gzip of a list of objects: {figures['gzip_list_of_objects_per_event']:.0f} B/event; "
          f"plain JSON: {figures['plain_json_per_event']:.0f} B/event")
    print(f"ratio wire / gzip-objects: {figures['wire_bytes_per_event'] / figures['gzip_list_of_objects_per_event']:.2f}")


if __name__ == "__main__":
    main()
