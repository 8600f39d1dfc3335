"""Errors the station reports to people, each with the exit code of DESIGN §7."""
from __future__ import annotations

__all__ = ["StationError", "BadInput", "NotFound", "NotAllowed", "Unreachable", "DiskUnwritable"]


class StationError(Exception):
    exit_code = 1

    def __init__(self, *problems: str) -> None:
        self.problems = [p for p in problems if p]
        super().__init__("\n".join(self.problems))


class BadInput(StationError):
    """Input that cannot be used; every problem is listed, nothing was written."""

    exit_code = 2


class NotFound(StationError):
    """No such case, item, operator or file, or a case this station may not see."""

    exit_code = 3


class NotAllowed(StationError):
    """Wrong PIN, a locked operator, or an action this operator or station may never take."""

    exit_code = 4


class Unreachable(StationError):
    """The city hall could not be reached; the queue is kept."""

    exit_code = 5


class DiskUnwritable(StationError):
    """The station's disk could not be written (full, read-only, a file too large); nothing half-written is kept."""

    exit_code = 6
