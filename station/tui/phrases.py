"""Chinese text broken between phrases (after ，。？ and the like), never inside a word."""
from __future__ import annotations

import re

from rich.cells import cell_len

from station.receipts.linebreak import break_lines

__all__ = ["phrase_lines"]

_PHRASE = re.compile(r"[^，。、；：！？,.;:!?\n]*[，。、；：！？,.;:!?]*\n?")


def phrase_lines(text: str, cells: int) -> str:
    """``text`` with line breaks so each line is at most ``cells`` wide, broken only
    after a phrase's punctuation; a phrase longer than a line is broken by the
    receipt's rules (closing punctuation never starts a line)."""
    lines: list[str] = [""]
    for piece in filter(None, _PHRASE.findall(text)):
        ends_line, phrase = piece.endswith("\n"), piece.rstrip("\n")
        if lines[-1] and cell_len(lines[-1] + phrase) > cells:
            lines.append("")
        if cell_len(lines[-1] + phrase) > cells:
            *whole, lines[-1] = break_lines(lines[-1] + phrase, cells, cell_len)
            lines[-1:-1] = whole
        else:
            lines[-1] += phrase
        if ends_line:
            lines.append("")
    return "\n".join(lines).rstrip("\n")
