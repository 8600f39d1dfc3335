"""Hybrid logical clock: sortable strings that respect causality across stations.

A village PC's wall clock may be hours off; the HLC never runs backwards and always
moves past any timestamp it has seen, so an event recorded after pulling another
sorts after it.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HybridClock", "format_hlc", "parse_hlc", "MAX_COUNTER", "MAX_PHYSICAL_MS"]

MAX_COUNTER = 99_999
"""The counter has five digits (an event's ``hlc`` is 19 characters): past it, the clock moves on a millisecond."""
MAX_PHYSICAL_MS = 10**13 - 1
"""The physical part has 13 digits: a clock moved past it (by a stamp far ahead) stamps nothing valid."""


def format_hlc(physical_ms: int, counter: int) -> str:
    return f"{physical_ms:013d}.{counter:05d}"


def parse_hlc(text: str) -> tuple[int, int]:
    physical, _, counter = text.partition(".")
    return int(physical), int(counter or 0)


@dataclass
class HybridClock:
    physical_ms: int = 0
    counter: int = 0

    @classmethod
    def restore(cls, last: str | None) -> HybridClock:
        return cls(*parse_hlc(last)) if last else cls()

    def tick(self, now_ms: int) -> str:
        """A new timestamp for a local event."""
        if now_ms > self.physical_ms:
            self.physical_ms, self.counter = now_ms, 0
        else:
            self.counter += 1
        self._carry()
        return self.current()

    def observe(self, remote: str, now_ms: int) -> None:
        """Move past a timestamp that arrived from elsewhere."""
        remote_ms, remote_counter = parse_hlc(remote)
        top = max(self.physical_ms, remote_ms, now_ms)
        if top == self.physical_ms == remote_ms:
            self.counter = max(self.counter, remote_counter) + 1
        elif top == self.physical_ms:
            self.counter += 1
        elif top == remote_ms:
            self.counter = remote_counter + 1
        else:
            self.counter = 0
        self.physical_ms = top
        self._carry()

    def _carry(self) -> None:
        """A pulled event may carry the top counter (a valid event): one more tick must still be one."""
        if self.counter > MAX_COUNTER:
            self.physical_ms, self.counter = self.physical_ms + 1, 0

    @property
    def stamps_valid(self) -> bool:
        """Its stamps fit the 19 characters of an event's ``hlc``."""
        return self.physical_ms <= MAX_PHYSICAL_MS

    def current(self) -> str:
        return format_hlc(self.physical_ms, self.counter)
