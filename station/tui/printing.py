"""Saving a printable document as a text file in the station's ``prints`` folder."""
from __future__ import annotations

from pathlib import Path

from station.home import StationHome

__all__ = ["save_printable"]


def save_printable(home: StationHome, name: str, text: str) -> Path:
    """``prints/NAME.txt``, or ``NAME-2.txt`` … when that exists: an earlier document is never overwritten."""
    folder = home.root / "prints"
    folder.mkdir(parents=True, exist_ok=True)
    path, copy = folder / f"{name}.txt", 2
    while path.exists():
        path, copy = folder / f"{name}-{copy}.txt", copy + 1
    path.write_text(text + "\n", encoding="utf-8")
    return path
