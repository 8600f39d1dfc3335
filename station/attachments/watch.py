"""A folder the document camera drops its files into, picked up and attached to a case.

A file counts as finished when its size has not changed for ``settle_seconds`` (cameras
write in several steps). Each attached file moves to ``已导入/``; a file that is not a
JPEG, PNG or PDF moves to ``无法识别/``: nothing is deleted, nothing is taken twice.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from station.errors import BadInput
from station.service import Operator, StationService

from .attach import AttachedFile, attach_files
from .kinds import sniff_type

__all__ = ["WatchedFolder", "ScanResult", "DONE_FOLDER", "REFUSED_FOLDER"]

DONE_FOLDER = "已导入"
REFUSED_FOLDER = "无法识别"


@dataclass
class ScanResult:
    attached: list[AttachedFile] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    """File names moved aside, each with why."""


@dataclass
class WatchedFolder:
    folder: Path
    settle_seconds: float = 2.0
    clock: Callable[[], float] = time.time
    _sizes: dict[str, tuple[int, float]] = field(default_factory=dict)

    def ready_files(self) -> list[Path]:
        """Files whose size has stood still for ``settle_seconds``, oldest first."""
        if not self.folder.is_dir():
            raise BadInput(f"监视文件夹 {self.folder} 不存在，请检查高拍仪的保存位置")
        now, ready = self.clock(), []
        for path in sorted(self.folder.iterdir(), key=_mtime):
            if not path.is_file() or path.name.startswith((".", "~")):
                continue
            size = path.stat().st_size
            seen_size, since = self._sizes.get(path.name, (-1, now))
            if size != seen_size:
                self._sizes[path.name] = (size, now)
            elif size > 0 and now - since >= self.settle_seconds:
                ready.append(path)
        return ready

    def scan(self, service: StationService, operator: Operator, case_no: str, material: str) -> ScanResult:
        """Attach every finished file to ``case_no`` / ``material`` and move it aside."""
        result = ScanResult()
        files = []
        for path in self.ready_files():
            if sniff_type(_head(path)) is None:
                result.refused.append(f"{path.name}：不是 JPEG、PNG 或 PDF")
                self._move(path, REFUSED_FOLDER)
            else:
                files.append(path)
        if files:
            result.attached = attach_files(service, operator, case_no, material, files)
            for path in files:
                self._move(path, DONE_FOLDER)
        return result

    def _move(self, path: Path, subfolder: str) -> None:
        target_dir = self.folder / subfolder
        target_dir.mkdir(exist_ok=True)
        target = target_dir / path.name
        if target.exists():
            target = target_dir / f"{path.stem}-{int(self.clock() * 1000)}{path.suffix}"
        os.replace(path, target)
        self._sizes.pop(path.name, None)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(1024)
