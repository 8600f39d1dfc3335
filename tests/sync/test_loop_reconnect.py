"""The background loop against a real hub that goes away and comes back: every failed attempt
is in the log, and contact is made again within the back-off cap (plus one round's give-up)."""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest

from sync.client import SyncClient
from sync.loop import BackgroundSync
from tests.support.demo import VILLAGE
from tests.support.hub import file_case, free_port, in_process_hub, make_station, topology_for

CAP_S, ROUND_GIVE_UP_S, JITTER = 1.0, 0.3, 1.2


def _wait_for(condition, limit_s: float) -> float:  # noqa: ANN001 - a predicate
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < limit_s, "gave up waiting"
        time.sleep(0.02)
    return time.monotonic() - start


def test_reconnection_after_the_hub_comes_back_is_bounded_by_the_cap(tmp_path: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="station.sync")
    port = free_port()
    config = topology_for(tmp_path, port)
    village, agent, key = make_station(tmp_path, VILLAGE, config)
    file_case(village, agent)
    loop = BackgroundSync(village, interval_s=0.1, max_interval_s=CAP_S,
                          client_factory=lambda svc: SyncClient(svc, give_up_after=ROUND_GIVE_UP_S))
    failures = lambda: [r for r in caplog.records if "sync round failed" in r.getMessage()]  # noqa: E731
    try:
        loop.start()
        _wait_for(lambda: len(failures()) >= 5, 20)  # down long enough for the wait to reach the cap
        assert all(r.levelno == logging.WARNING and "连不上" in r.getMessage() for r in failures())
        with in_process_hub(tmp_path, config, port) as app:
            app.state.store.enroll(VILLAGE, key)
            back_after = _wait_for(lambda: loop.status().online, 10)
        bound = CAP_S * JITTER + ROUND_GIVE_UP_S + 1.5  # the last wait, one round, the first answer on a busy machine
        print(f"in contact again {back_after:.2f} s after the hub came back (bound {bound:.2f} s)")
        assert back_after <= bound
        assert loop.status().pending == 0 and any("in contact with the city hall again" in r.getMessage()
                                                  for r in caplog.records)
    finally:
        loop.stop(timeout_s=2)
        village.close()


class _StoreClosedAsTheRoundFails(SyncClient):
    """The real client, with the app quitting (its store closed) just as the unreachable hub fails the round."""

    def sync_once(self):  # noqa: ANN201 - SyncClient's report
        try:
            return super().sync_once()
        except Exception:
            self.service.close()
            raise


def test_a_store_closed_while_a_round_fails_does_not_kill_the_loops_thread(tmp_path: Path) -> None:
    village, agent, _key = make_station(tmp_path, VILLAGE, topology_for(tmp_path, free_port()))  # nobody listens
    file_case(village, agent)
    died: list[BaseException | None] = []
    earlier_hook, threading.excepthook = threading.excepthook, lambda args: died.append(args.exc_value)
    loop = BackgroundSync(village, interval_s=0.05, max_interval_s=0.1,
                          client_factory=lambda svc: _StoreClosedAsTheRoundFails(svc, give_up_after=0.2))
    try:
        loop.start()
        _wait_for(lambda: loop.status().last_error is not None, 10)
        time.sleep(0.3)  # more rounds, on the closed store
        assert died == [] and loop._thread is not None and loop._thread.is_alive()
        assert not loop.status().online  # each round still says it failed, and why
    finally:
        loop.stop(timeout_s=2)
        threading.excepthook = earlier_hook
