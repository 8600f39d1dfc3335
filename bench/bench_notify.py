"""What texts cost the hub: ingest with the notification outbox on vs off, and the sender's pace.

Ingest: the same batches of ``received`` + ``forwarded`` events (every applicant with a
mobile number) go into two fresh SQLite hubs in this process, one with a ``[notify]``
webhook configured (a notice row per case written in each batch's transaction), one
without; the medians of the rounds are compared. Sender: the queued texts are handed to a
webhook on loopback with no rate cap worth the name, and timed.

    .venv/bin/python bench/bench_notify.py [--cases 2000] [--batch 100] [--rounds 3]
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cityhall.db import make_engine, migrate  # noqa: E402
from cityhall.notify import attach, parse_notify_config  # noqa: E402
from cityhall.notify.outbox import status_counts  # noqa: E402
from cityhall.notify.providers import make_provider  # noqa: E402
from cityhall.notify.sender import NoticeSender  # noqa: E402
from cityhall.store import HubStore  # noqa: E402
from station.ledger import Event  # noqa: E402
from station.topology import Topology  # noqa: E402
from station.workdays import WorkCalendar  # noqa: E402
from tests.notify.conftest import notify_table  # noqa: E402
from tests.notify.servers import Recorder, recording_server, webhook_answer  # noqa: E402
from tests.support.events import sample_events  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VILLAGE = "420115102203"


def events_with_phones(cases: int) -> list[Event]:
    """The sample backlog with a mobile number on every applicant, its hash chain made again."""
    events, prev = [], ""
    for index, sample in enumerate(sample_events(cases * 2, VILLAGE)):
        data = sample.data
        if sample.kind == "received":
            data = data | {"applicant": data["applicant"] | {"phone": f"139{index:08d}"}}
        event = dataclasses.replace(sample, data=data, prev=prev)
        prev = event.digest()
        events.append(event)
    return events


def ingest_seconds(events: list[Event], batch: int, notify_url: str | None) -> tuple[float, HubStore]:
    folder = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    engine = make_engine(f"sqlite:///{folder / 'hub.db'}")
    migrate(engine)
    store = HubStore(engine, Topology.load(ROOT / "stations.toml"))
    if notify_url:
        calendar = WorkCalendar.load()
        attach(store, parse_notify_config(notify_table(notify_url), {}), lambda: calendar)  # type: ignore[arg-type]
    started = time.perf_counter()
    for start in range(0, len(events), batch):
        answers = store.ingest(events[start:start + batch], VILLAGE, time.time())
        assert all(a.status == "accepted" for a in answers), answers[0]
    return time.perf_counter() - started, store


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    events = events_with_phones(args.cases)
    recorder = Recorder(webhook_answer)
    with recording_server(recorder) as url:
        off, on, sending = [], [], []
        for _ in range(args.rounds):
            off.append(ingest_seconds(events, args.batch, None)[0])
            seconds, store = ingest_seconds(events, args.batch, url)
            on.append(seconds)
            config = parse_notify_config(notify_table(url, rate_per_minute=10**6), {})
            assert config is not None
            calendar = WorkCalendar.load()
            sender = NoticeSender(store.engine, config, make_provider(config), store.topology, lambda calendar=calendar: calendar)
            started = time.perf_counter()
            sender.run_once()
            sending.append(time.perf_counter() - started)
            assert status_counts(store.engine)["sent"] == args.cases
            sender.provider.close()
    n = len(events)
    print(f"ingest {n} events in batches of {args.batch}: texts off {n / statistics.median(off):,.0f} ev/s, "
          f"on {n / statistics.median(on):,.0f} ev/s ({statistics.median(off) / statistics.median(on):.0%} of off)")
    print(f"sender: {args.cases} texts to a loopback webhook at {args.cases / statistics.median(sending):,.0f} texts/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
