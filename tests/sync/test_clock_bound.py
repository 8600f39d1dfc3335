"""The hub refuses an event stamped more than ``MAX_AHEAD_S`` ahead of its clock, by comparing the
event's ``hlc`` text with one bound made per push. The text must say what the time says: an event a
millisecond or more inside the bound is taken, one a millisecond or more past it is refused, whatever
the counter, the hub's clock (to the year 2286, where 13 digits of milliseconds end) and the fraction
of its second. The reason names the days ahead.
"""
from __future__ import annotations

from fractions import Fraction

from hypothesis import given, strategies as st

from station.ledger import Event
from station.ledger.hlc import MAX_COUNTER, MAX_PHYSICAL_MS, format_hlc
from sync.ingest import MAX_AHEAD_S, clock_problem
from tests.support.events import sample_events

EVENT = sample_events(1)[0]
HUB_CLOCKS = st.floats(min_value=0, max_value=MAX_PHYSICAL_MS / 1000, allow_nan=False)


def _stamped(physical_ms: int, counter: int) -> Event:
    return EVENT.replace(hlc=format_hlc(physical_ms, counter))


def _exact_bound_ms(now_s: float) -> Fraction:
    return (Fraction(now_s) + MAX_AHEAD_S) * 1000


@given(HUB_CLOCKS, st.integers(min_value=1, max_value=10**12), st.integers(0, MAX_COUNTER))
def test_a_stamp_inside_the_bound_is_taken(now_s: float, inside_ms: int, counter: int) -> None:
    physical = int(_exact_bound_ms(now_s)) - inside_ms
    if physical >= 0:
        assert clock_problem(_stamped(physical, counter), now_s) is None


@given(HUB_CLOCKS, st.integers(min_value=1, max_value=10**12), st.integers(0, MAX_COUNTER))
def test_a_stamp_past_the_bound_is_refused_with_the_days_ahead(now_s: float, past_ms: int, counter: int) -> None:
    physical = int(_exact_bound_ms(now_s)) + 1 + past_ms
    if physical <= MAX_PHYSICAL_MS:
        reason = clock_problem(_stamped(physical, counter), now_s)
        days = round((physical / 1000 - now_s) / 86_400)
        assert reason is not None and f"快了 {days:,} 天" in reason


def test_near_the_end_of_13_digits_every_stamp_is_within_a_year() -> None:
    now_s = MAX_PHYSICAL_MS / 1000 - 1
    assert clock_problem(_stamped(MAX_PHYSICAL_MS, MAX_COUNTER), now_s) is None
