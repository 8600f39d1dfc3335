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
