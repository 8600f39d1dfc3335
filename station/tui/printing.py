"""Saving a printable document as a text file in the station's ``prints`` folder."""
from __future__ import annotations

from pathlib import Path

from station.home import StationHome

__all__ = ["save_printable"]


def save_printable(home: StationHome, name: str, text: str) -> Path:
    folder = home.root / "prints"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path
