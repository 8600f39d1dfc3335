"""The ``station`` command (DESIGN §7)."""
from __future__ import annotations

from .main import main

__all__ = ["main"]
