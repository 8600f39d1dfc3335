"""A token bucket in bytes per second: the share of the link that file transfers may use."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator

__all__ = ["TokenBucket", "paced", "paced_stream"]

PIECE = 4096


class TokenBucket:
    """``rate`` bytes/s on average, bursts of at most ``burst`` bytes; ``rate`` 0 or None: no limit."""

    def __init__(self, rate: float | None, burst: float | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate = rate or 0.0
        self.burst = burst if burst is not None else max(self.rate / 4, PIECE)
        self._tokens, self._clock, self._sleep = self.burst, clock, sleep
        self._last = clock()
        self._lock = threading.Lock()

    def take(self, amount: int) -> None:
        """Wait until ``amount`` bytes may go."""
        if not self.rate:
            return
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= amount
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait:
            self._sleep(wait)


def paced(data: bytes, bucket: TokenBucket, on_sent: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """``data`` in pieces, each let through by the bucket."""
    for start in range(0, len(data), PIECE):
        piece = data[start:start + PIECE]
        bucket.take(len(piece))
        yield piece
        if on_sent:
            on_sent(len(piece))


def paced_stream(blocks: Iterable[bytes], bucket: TokenBucket) -> Iterator[bytes]:
    for block in blocks:
        bucket.take(len(block))
        yield block
