from __future__ import annotations

from hypothesis import given, strategies as st

from station.ledger import HybridClock


def test_clock_never_runs_backwards_when_the_wall_clock_does() -> None:
    clock = HybridClock()
    first = clock.tick(1_000_000)
    second = clock.tick(500_000)  # the PC's clock was set back
    assert second > first


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 10**13 - 1)), min_size=1, max_size=50))
def test_every_new_stamp_sorts_after_everything_seen(steps: list[tuple[bool, int]]) -> None:
    clock, seen = HybridClock(), []
    for is_remote, millis in steps:
        if is_remote:
            remote = HybridClock(millis, 3).current()
            clock.observe(remote, millis // 2)
            seen.append(remote)
        else:
            stamp = clock.tick(millis)
            assert all(stamp > s for s in seen)
            seen.append(stamp)


def test_the_top_counter_carries_into_the_next_millisecond() -> None:
    """A pulled event may carry counter 99999 (a valid event): the clock stays 19 characters, and after it."""
    clock = HybridClock()
    clock.observe("5000000000000.99999", now_ms=1000)
    assert clock.current() == "5000000000001.00000"
    assert clock.tick(now_ms=1000) == "5000000000001.00001"
    clock.counter = 99_999
    assert clock.tick(now_ms=1000) == "5000000000002.00000"
