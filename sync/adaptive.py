"""Sizes that follow the link: events per push batch, bytes per file chunk."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AdaptiveSize", "AdaptiveBatch", "AdaptiveChunk"]


@dataclass
class AdaptiveSize:
    """A size between ``smallest`` and ``largest``, halved when the link chokes (a timeout, a 413)."""

    size: int
    smallest: int
    largest: int

    def shrink(self) -> None:
        self.size = max(self.smallest, self.size // 2)

    def _bounded(self, wanted: float) -> int:
        return int(min(self.largest, max(self.smallest, wanted)))


@dataclass
class AdaptiveBatch(AdaptiveSize):
    """Events per push: doubled when a full batch was quick."""

    size: int = 500
    smallest: int = 10
    largest: int = 5000
    """At about 26 bytes an event on the wire, 5,000 events are some 130 KB: 16 s at 64 kbit/s."""
    quick_s: float = 8.0

    def after_success(self, sent: int, elapsed_s: float) -> None:
        if sent >= self.size and elapsed_s < self.quick_s:
            self.size = self._bounded(self.size * 2)


@dataclass
class AdaptiveChunk(AdaptiveSize):
    """Bytes per file chunk: about ``target_s`` seconds of sending at the measured speed."""

    size: int = 64 * 1024
    smallest: int = 16 * 1024
    largest: int = 4 * 1024 * 1024
    target_s: float = 8.0

    def after_chunk(self, sent: int, elapsed_s: float) -> None:
        if elapsed_s > 0:
            self.size = self._bounded(sent / elapsed_s * self.target_s)
