"""Files kept by their SHA-256, under ``attachments/ab/cdef…``: one copy per content.

Writes go to a temporary file in the same folder, are flushed to disk and then renamed,
so a power cut leaves either the whole file or none of it, never half a scan.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

__all__ = ["BlobFiles", "sha256_hex", "is_sha256", "file_sha256"]

_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256_hex(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


def is_sha256(text: str) -> bool:
    return bool(_SHA256.fullmatch(text))


class BlobFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes | memoryview) -> str:
        """Store ``data`` (a view is written without a copy); returns its SHA-256 (the same bytes twice is a no-op)."""
        digest = sha256_hex(data)
        target = self.path(digest)
        if target.is_file() and target.stat().st_size == len(data):
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            with temporary.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            temporary.unlink(missing_ok=True)  # a full disk leaves no half-written scan behind
            raise
        os.replace(temporary, target)
        return digest

    def adopt(self, partial: Path, sha256: str) -> Path:
        """Move a finished, verified download into its place."""
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, target)
        return target

    def remove(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def partial_path(self, sha256: str) -> Path:
        """Where a download in progress grows (resumed from its length)."""
        folder = self.root / "partial"
        folder.mkdir(parents=True, exist_ok=True)
        self.path(sha256)  # refuse anything that is not a digest before it names a file
        return folder / sha256

    def partial_bytes(self) -> int:
        folder = self.root / "partial"
        return sum(p.stat().st_size for p in folder.iterdir()) if folder.is_dir() else 0

    def verify(self, sha256: str) -> bool:
        path = self.path(sha256)
        return path.is_file() and file_sha256(path) == sha256


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

