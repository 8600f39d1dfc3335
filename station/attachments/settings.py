"""The station's attachment settings, kept in ``attachments.toml`` beside ``station.toml``."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

__all__ = ["AttachmentSettings", "settings_file"]

MB = 1024 * 1024


def settings_file(home_root: Path) -> Path:
    return home_root / "attachments.toml"


@dataclass(frozen=True)
class AttachmentSettings:
    cap_megabytes: int = 2048
    """Most disk the attachments may use (originals, wire copies, fetched files), in MB."""
    upload_bytes_per_second: int = 0
    """The share of the link that uploads and downloads of files may use; 0 means no limit."""
    grayscale: bool = False
    """Reduce scans to grayscale for the wire (smaller; colour stays in the original)."""
    watch_folder: str = ""
    """Folder where the document camera drops its files; empty when there is none."""
    max_file_megabytes: int = 50
    """Largest single file accepted, in MB."""

    @property
    def cap_bytes(self) -> int:
        return self.cap_megabytes * MB

    @classmethod
    def load(cls, home_root: Path) -> AttachmentSettings:
        path = settings_file(home_root)
        if not path.is_file():
            return cls()
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        known = {k: raw[k] for k in cls.__dataclass_fields__ if k in raw}
        return cls(**known)

    def save(self, home_root: Path) -> None:
        lines = [f"cap_megabytes = {self.cap_megabytes}",
                 f"upload_bytes_per_second = {self.upload_bytes_per_second}",
                 f"grayscale = {'true' if self.grayscale else 'false'}",
                 f"watch_folder = {_toml_string(self.watch_folder)}",
                 f"max_file_megabytes = {self.max_file_megabytes}"]
        settings_file(home_root).write_text("\n".join(lines) + "\n", encoding="utf-8")

    def changed(self, **values: Any) -> AttachmentSettings:
        return replace(self, **{k: v for k, v in values.items() if v is not None})


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
