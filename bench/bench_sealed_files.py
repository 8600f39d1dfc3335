"""What sealing attachment files costs: writing and reading a scan sealed, against a plain file.

    python bench/bench_sealed_files.py                 # a 4 MB scan, 20 runs
    python bench/bench_sealed_files.py --megabytes 0.2 --runs 3 --json   # smoke

Each run writes the same random bytes once through ``BlobFiles.put`` (sealed, flushed to
disk) and once as a plain file (flushed to disk the same way), then reads each back whole.
Prints the medians in milliseconds and the ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from station.attachments.blobs import BlobFiles, sha256_hex  # noqa: E402
from station.sealed_files import FilesKey  # noqa: E402


def _plain_put(folder: Path, data: bytes) -> Path:
    path = folder / sha256_hex(data)
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return path


def _timed(action) -> float:  # noqa: ANN001
    began = time.perf_counter()
    action()
    return (time.perf_counter() - began) * 1000


def run(megabytes: float, runs: int) -> dict[str, float]:
    data = secrets.token_bytes(int(megabytes * 1024 * 1024))
    timings: dict[str, list[float]] = {"sealed_write_ms": [], "plain_write_ms": [], "sealed_read_ms": [],
                                       "plain_read_ms": []}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        files = BlobFiles(folder / "sealed", FilesKey(secrets.token_bytes(32)))
        (folder / "plain").mkdir()
        digest = sha256_hex(data)
        plain = folder / "plain" / digest
        for _ in range(runs):
            files.remove(digest)
            timings["sealed_write_ms"].append(_timed(partial(files.put, data)))
            timings["plain_write_ms"].append(_timed(partial(_plain_put, folder / "plain", data)))
            timings["sealed_read_ms"].append(_timed(partial(files.read, digest)))
            timings["plain_read_ms"].append(_timed(plain.read_bytes))
    result = {key: round(statistics.median(values), 2) for key, values in timings.items()}
    result["write_ratio"] = round(result["sealed_write_ms"] / result["plain_write_ms"], 2)
    result["read_ratio"] = round(result["sealed_read_ms"] / max(result["plain_read_ms"], 0.01), 2)
    return result | {"megabytes": megabytes, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=float, default=4.0)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.megabytes, args.runs)
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:>16}: {value}")


if __name__ == "__main__":
    main()
