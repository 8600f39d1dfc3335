"""Line breaking for receipts, measured in terminal cells or in pixels.

CJK text breaks between any two characters; a run of Latin letters, digits and
punctuation (a date, a case number) stays whole unless it is longer than a line; closing
punctuation does not start a line (the usual Chinese rule), the character before it
moves down with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

__all__ = ["NO_LINE_START", "Measure", "break_lines", "hanging", "list_marker"]

Measure = Callable[[str], float]
"""Width of a string: ``rich.cells.cell_len`` or a font's ``getlength``."""

NO_LINE_START = frozenset("，。、：；！？）》」』】〕…,.:;!?)]}")
"""Closing punctuation that must not begin a line."""

_LIST_MARKER = re.compile(r"^\d+\. ")
_TOKEN = re.compile(r"[0-9A-Za-z*#%./:_+\-]+|.", re.DOTALL)


def list_marker(value: str) -> str:
    """The ``"1. "`` that numbers a list entry, or ``""``."""
    marker = _LIST_MARKER.match(value)
    return marker.group() if marker else ""


def hanging(value: str, width: float,
            measure: Measure) -> list[tuple[float, str]]:
    """Break a value into (indent, line) pairs; a numbered entry's continuation lines
    are indented to align after its number."""
    first, *rest = break_lines(value, width, measure)
    marker = list_marker(value)
    if not rest or not marker:
        return [(0, line) for line in (first, *rest)]
    indent = measure(marker)
    return [(0, first), *((indent, line)
                          for line in break_lines("".join(rest), width - indent, measure))]


def break_lines(text: str, width: float, measure: Measure) -> list[str]:
    """Greedy line breaking by ``measure`` (cells or pixels), summed piece by piece.

    CJK breaks between any two characters; a run of Latin letters, digits and
    punctuation (a date, a case number) stays whole unless it is longer than a line;
    closing punctuation never starts a line.
    """
    lines: list[str] = []
    current, used = "", 0.0
    for piece in _pieces(text, width, measure):
        size = measure(piece)
        if current and used + size > width:
            kept, current = _break_before(piece, current)
            if current and measure(current) + size > width:
                kept, current = kept + current, ""
            lines.append(kept)
            used = measure(current) if current else 0.0
        if current or piece != " " or not lines:
            current += piece
            used += size
    return [*lines, current]


def _pieces(text: str, width: float, measure: Measure) -> Iterable[str]:
    for token in _TOKEN.findall(text):
        if len(token) > 1 and measure(token) > width:
            yield from token
        else:
            yield token


def _break_before(piece: str, current: str) -> tuple[str, str]:
    """Split ``current`` into the finished line and what moves down with ``piece``.

    Closing punctuation may not start a line, so the character before it moves down
    with it (and any closing punctuation in front of that character too).
    """
    kept = current.rstrip()
    if piece[0] not in NO_LINE_START:
        return kept, ""
    cut = len(kept) - 1
    while cut > 0 and kept[cut] in NO_LINE_START:
        cut -= 1
    return (kept[:cut], kept[cut:]) if cut > 0 else (kept, "")
