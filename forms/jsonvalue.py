"""The type of a value that came from (or goes to) JSON or TOML: form answers, event data, outputs."""
from __future__ import annotations

from typing import TypeAlias

__all__ = ["JsonValue", "JsonObject"]

JsonValue: TypeAlias = "str | int | float | bool | None | list[JsonValue] | dict[str, JsonValue]"
JsonObject: TypeAlias = "dict[str, JsonValue]"
