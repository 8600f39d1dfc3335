"""The station's terminal app (Textual). Only this package imports Textual."""
from __future__ import annotations

__all__: list[str] = []
