"""Files kept by the SHA-256 of their plain bytes, under ``attachments/ab/cdef…``, sealed at rest.

Every read and write of an attachment file goes through :class:`BlobFiles`: the upload in
the sync round, bundles, backups and restores, ``station attach`` and ``station
attachments``. The bytes on disk are sealed (:mod:`station.sealed_files`); a file an older
version left plain is read as it is until the next unlock seals it. Writes go to a
temporary file in the same folder, are flushed to disk and then renamed, so a power cut
leaves either the whole file or none of it, never half a scan. A download grows sealed
in ``attachments/partial/`` and resumes after its last whole record.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from station.sealed_files import (
    MAGIC, SALT_BYTES, BlobDamaged, FilesKey, SealedWriter, plain_chunks, plain_size, sealed_length,
)

__all__ = ["BlobFiles", "BlobDamaged", "PartialDownload", "sha256_hex", "is_sha256", "file_sha256"]

_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256_hex(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


def is_sha256(text: str) -> bool:
    return bool(_SHA256.fullmatch(text))


class PartialDownload:
    """A download in progress, appended to record by record; ``length`` plain bytes are already here."""

    def __init__(self, path: Path, key: FilesKey, sha256: str) -> None:
        self.path, self._key, self.sha256 = path, key, sha256
        self.length, self._records, self._salt = 0, 0, _sealed_salt(path)
        if self._salt is not None:
            self.length, self._records, end = sealed_length(path)
            if path.stat().st_size > end:
                with path.open("r+b") as handle:  # a record torn by a cut is dropped; its bytes come again
                    handle.truncate(end)

    def writer(self, handle: BinaryIO) -> SealedWriter:
        """Appends after the last whole record (``handle`` is the file opened for appending)."""
        if self._salt is None:
            writer = SealedWriter.create(handle, self._key, self.sha256)
            self._salt = writer.salt
            return writer
        return SealedWriter(handle, self._key, self.sha256, self._salt, self._records)

    def restart(self) -> None:
        self.path.unlink(missing_ok=True)
        self.length, self._records, self._salt = 0, 0, None


def _sealed_salt(path: Path) -> bytes | None:
    """The salt of a sealed partial file; a plain one an older version left is dropped (it starts over)."""
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        head = handle.read(len(MAGIC) + SALT_BYTES)
    if head[:len(MAGIC)] == MAGIC and len(head) == len(MAGIC) + SALT_BYTES:
        return head[len(MAGIC):]
    path.unlink()
    return None


class BlobFiles:
    def __init__(self, root: Path, key: FilesKey) -> None:
        self.root, self.key = root, key

    def path(self, sha256: str) -> Path:
        """Where the sealed file lies (not readable as it is: use :meth:`chunks` or :meth:`read`)."""
        if not is_sha256(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes | memoryview) -> str:
        """Seal and store ``data``; returns its SHA-256 (the same bytes twice is a no-op)."""
        digest = sha256_hex(data)
        if self.has(digest) and self.size(digest) == len(data):
            return digest
        self._write(digest, lambda writer: writer.write(data))
        return digest

    def put_stream(self, sha256: str, chunks: Iterator[bytes]) -> bool:
        """Seal a file given in pieces under ``sha256``; False (nothing kept) when the bytes do not match it."""
        digest = hashlib.sha256()

        def fill(writer: SealedWriter) -> None:
            for chunk in chunks:
                digest.update(chunk)
                writer.write(chunk)
            if digest.hexdigest() != sha256:
                raise _Mismatch()

        try:
            self._write(sha256, fill)
        except _Mismatch:
            return False
        return True

    def _write(self, sha256: str, fill: Callable[[SealedWriter], None]) -> None:
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            with temporary.open("wb") as handle:
                writer = SealedWriter.create(handle, self.key, sha256)
                fill(writer)
                writer.finish()
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            temporary.unlink(missing_ok=True)  # a full disk leaves no half-written scan behind
            raise
        os.replace(temporary, target)

    def chunks(self, sha256: str, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """The plain bytes, in pieces of at most 1 MiB (:class:`BlobDamaged` if they do not open)."""
        return plain_chunks(self.path(sha256), self.key, sha256, start, stop)

    def read(self, sha256: str) -> bytes:
        return b"".join(self.chunks(sha256))

    def read_range(self, sha256: str, start: int, length: int) -> bytes:
        return b"".join(self.chunks(sha256, start, start + length))

    def size(self, sha256: str) -> int:
        """The plain length (from the record lengths; nothing is decrypted)."""
        return plain_size(self.path(sha256))

    def verify(self, sha256: str) -> bool:
        """The file is here, opens, and its plain bytes hash to its name."""
        if not self.has(sha256):
            return False
        digest = hashlib.sha256()
        try:
            for chunk in self.chunks(sha256):
                digest.update(chunk)
        except BlobDamaged:
            return False
        return digest.hexdigest() == sha256

    def remove(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    # -- downloads --------------------------------------------------------------------

    def partial(self, sha256: str) -> PartialDownload:
        """The download of ``sha256`` in progress (resumed from its plain length)."""
        folder = self.root / "partial"
        folder.mkdir(parents=True, exist_ok=True)
        self.path(sha256)  # refuse anything that is not a digest before it names a file
        return PartialDownload(folder / sha256, self.key, sha256)

    def adopt(self, partial: PartialDownload) -> bool:
        """Check a finished download against its hash and seal it into place; False (dropped) when it does not match."""
        digest = hashlib.sha256()
        try:
            for chunk in plain_chunks(partial.path, self.key, partial.sha256, whole=False):
                digest.update(chunk)
        except BlobDamaged:
            digest = hashlib.sha256(b"not this")
        if digest.hexdigest() != partial.sha256:
            partial.restart()
            return False
        done = PartialDownload(partial.path, self.key, partial.sha256)  # its records as they stand now
        with partial.path.open("ab") as handle:
            done.writer(handle).finish()
            handle.flush()
            os.fsync(handle.fileno())
        target = self.path(partial.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial.path, target)
        return True

    def partial_bytes(self) -> int:
        folder = self.root / "partial"
        return sum(p.stat().st_size for p in folder.iterdir()) if folder.is_dir() else 0


class _Mismatch(Exception):
    pass


def file_sha256(path: Path) -> str:
    """The SHA-256 of a plain file outside the attachment store (a scan about to be attached)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
