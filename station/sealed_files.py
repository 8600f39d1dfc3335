"""Attachment files sealed at rest: AES-256-GCM records under a key only the unlocked store holds.

A file keeps its place and name, ``attachments/ab/cdef…``: the SHA-256 of its PLAIN bytes,
so uploads, bundles and the city hall's files are the same as before. On disk it is:

- ``MAGIC`` (8 bytes) and a random 16-byte salt;
- records, each a 4-byte big-endian length of its plain bytes and then their ciphertext and
  tag; record *n* has the nonce *n* (8 bytes) and a flag (4 bytes), 1 on the closing record,
  which is empty. A file without its closing record (a download cut short) is not whole.

Each file's key is HKDF-SHA256 of the station's files key with the file's salt; the
associated data is the magic, the salt and the file's name, so a record moved, changed,
dropped or cut off, or a file renamed to another digest, fails to open. The files key is
32 random bytes kept in the store's ``meta`` table: the store is SQLCipher, so only the
station's data key reaches it, and it moves with the store when the data key changes
(the first operator, a plain store's migration) without a file being re-written.

A file written by an older version is plain: it is read as it is, and :func:`seal_plain_files`
seals every one in place at the next unlock (each written beside and renamed over, so a
power cut leaves the plain or the sealed file, both readable).
"""
from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from .store import StationStore

__all__ = ["MAGIC", "RECORD_BYTES", "FilesKey", "SealedWriter", "BlobDamaged", "files_key", "seal_plain_files",
           "is_sealed", "plain_chunks", "plain_range", "plain_size", "sealed_length", "FILES_KEY_META",
           "open_sealed_bytes", "sealed_stream_length"]

MAGIC = b"SSBLOB1\n"
SALT_BYTES = 16
RECORD_BYTES = 1 << 20
_LENGTH = struct.Struct(">I")
_TAG = 16
_INFO = b"service-station attachment file v1"
FILES_KEY_META = "files_key"
_SEALED_META = "files_sealed"


class BlobDamaged(ValueError):
    """A sealed file that does not open: changed, cut off, or under another key."""


class FilesKey:
    """The station's files key; gives each file's AES-GCM cipher from its salt and name."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) != 32:
            raise ValueError("a files key has 32 bytes")
        self._secret = secret

    def cipher(self, salt: bytes) -> AESGCM:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        return AESGCM(HKDF(hashes.SHA256(), 32, salt=salt, info=_INFO).derive(self._secret))


def files_key(store: StationStore) -> FilesKey:
    """The store's files key, made (and committed) the first time it is asked for."""
    text = store.get_meta(FILES_KEY_META)
    if not text:
        with store.write():
            text = store.get_meta(FILES_KEY_META)
            if not text:
                text = os.urandom(32).hex()
                store.set_meta(FILES_KEY_META, text)
    return FilesKey(bytes.fromhex(text))


def _nonce(number: int, closing: bool) -> bytes:
    return struct.pack(">QI", number, 1 if closing else 0)


def _associated(salt: bytes, sha256: str) -> bytes:
    return MAGIC + salt + sha256.encode("ascii")


class SealedWriter:
    """Writes a sealed file record by record; ``close(closing=True)`` makes it whole.

    Opened on an existing partial file it appends after its last whole record.
    """

    def __init__(self, handle: BinaryIO, key: FilesKey, sha256: str, salt: bytes, records: int) -> None:
        self._handle, self._sha256, self.salt = handle, sha256, salt
        self._cipher = key.cipher(salt)
        self._records = records
        self._buffer = bytearray()

    @classmethod
    def create(cls, handle: BinaryIO, key: FilesKey, sha256: str) -> SealedWriter:
        salt = os.urandom(SALT_BYTES)
        handle.write(MAGIC + salt)
        return cls(handle, key, sha256, salt, 0)

    def write(self, data: bytes | memoryview) -> None:
        view = memoryview(data)
        while view:
            room = RECORD_BYTES - len(self._buffer)
            self._buffer += view[:room]
            view = view[room:]
            if len(self._buffer) == RECORD_BYTES:
                self.flush_record()

    def flush_record(self) -> None:
        """Seal what is buffered as one record (nothing when the buffer is empty)."""
        if self._buffer:
            self._emit(bytes(self._buffer), closing=False)
            self._buffer.clear()

    def finish(self) -> None:
        self.flush_record()
        self._emit(b"", closing=True)

    def _emit(self, plain: bytes, closing: bool) -> None:
        sealed = self._cipher.encrypt(_nonce(self._records, closing), plain,
                                      _associated(self.salt, self._sha256))
        self._handle.write(_LENGTH.pack(len(plain)) + sealed)
        self._records += 1


def is_sealed(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


class _Record:
    __slots__ = ("number", "plain_offset", "length", "file_offset")

    def __init__(self, number: int, plain_offset: int, length: int, file_offset: int) -> None:
        self.number, self.plain_offset, self.length, self.file_offset = number, plain_offset, length, file_offset


def _records(handle: BinaryIO, file_size: int) -> Iterator[_Record]:
    """Every whole record's place, read from the length fields alone (a torn last record ends it)."""
    offset, plain, number = len(MAGIC) + SALT_BYTES, 0, 0
    while offset + _LENGTH.size <= file_size:
        handle.seek(offset)
        (length,) = _LENGTH.unpack(handle.read(_LENGTH.size))
        end = offset + _LENGTH.size + length + _TAG
        if length > RECORD_BYTES or end > file_size:
            return
        yield _Record(number, plain, length, offset + _LENGTH.size)
        offset, plain, number = end, plain + length, number + 1


def sealed_length(path: Path) -> tuple[int, int, int]:
    """A partial file's plain bytes, whole records and where they end (a torn tail is past that)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        records = list(_records(handle, size))
    last = records[-1] if records else None
    if last is None:
        return 0, 0, len(MAGIC) + SALT_BYTES
    return last.plain_offset + last.length, last.number + 1, last.file_offset + last.length + _TAG


class _Reader:
    def __init__(self, handle: BinaryIO, key: FilesKey, sha256: str, size: int) -> None:
        handle.seek(len(MAGIC))
        self.salt = handle.read(SALT_BYTES)
        self.handle, self.sha256, self.size = handle, sha256, size
        self.cipher = key.cipher(self.salt)

    def open(self, record: _Record, closing: bool) -> bytes:
        from cryptography.exceptions import InvalidTag

        self.handle.seek(record.file_offset)
        sealed = self.handle.read(record.length + _TAG)
        try:
            return self.cipher.decrypt(_nonce(record.number, closing), sealed,
                                       _associated(self.salt, self.sha256))
        except InvalidTag as exc:
            raise BlobDamaged(f"attachment file {self.sha256[:12]}… does not open (record {record.number})") from exc

    def chunks(self, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """Plain bytes ``[start, stop)``; the whole file is checked to end on its closing record."""
        records = list(_records(self.handle, self.size))
        if not records or records[-1].length != 0:
            raise BlobDamaged(f"attachment file {self.sha256[:12]}… is cut off")
        stop = records[-1].plain_offset if stop is None else stop
        self.open(records[-1], closing=True)
        for record in records[:-1]:
            if record.plain_offset + record.length <= start or record.plain_offset >= stop:
                continue
            plain = self.open(record, closing=False)
            yield plain[max(start - record.plain_offset, 0):stop - record.plain_offset]


def plain_chunks(path: Path, key: FilesKey, sha256: str, start: int = 0, stop: int | None = None,
                 whole: bool = True) -> Iterator[bytes]:
    """The plain bytes of a file on disk, sealed or (written by an older version) plain.

    ``whole=False`` reads a partial file (no closing record yet), for checking a download.
    """
    with path.open("rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:
            yield from _plain_file(handle, start, stop)
            return
        reader = _Reader(handle, key, sha256, path.stat().st_size)
        if whole:
            yield from reader.chunks(start, stop)
            return
        for record in _records(handle, reader.size):
            yield reader.open(record, closing=False)


def _plain_file(handle: BinaryIO, start: int, stop: int | None) -> Iterator[bytes]:
    handle.seek(start)
    left = None if stop is None else stop - start
    while left is None or left > 0:
        block = handle.read(RECORD_BYTES if left is None else min(RECORD_BYTES, left))
        if not block:
            return
        if left is not None:
            left -= len(block)
        yield block


def plain_range(path: Path, key: FilesKey, sha256: str, start: int, length: int) -> bytes:
    return b"".join(plain_chunks(path, key, sha256, start, start + length))


def plain_size(path: Path) -> int:
    """The plain length of a whole file (sealed or plain), from the length fields alone."""
    if not is_sealed(path):
        return path.stat().st_size
    return sealed_length(path)[0]


def seal_plain_files(store: StationStore, root: Path) -> int:
    """Seal in place every file an older version left plain; once done, the store remembers it."""
    if store.get_meta(_SEALED_META) == "1":
        return 0
    key, sealed = files_key(store), 0
    for path in sorted(root.glob("[0-9a-f][0-9a-f]/*")) if root.is_dir() else []:
        sha256 = path.parent.name + path.name
        if len(sha256) == 64 and path.is_file() and not is_sealed(path):
            _seal_in_place(path, key, sha256)
            sealed += 1
    store.set_meta(_SEALED_META, "1")
    return sealed


def _seal_in_place(path: Path, key: FilesKey, sha256: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.seal")
    try:
        with path.open("rb") as source, temporary.open("wb") as out:
            writer = SealedWriter.create(out, key, sha256)
            for block in iter(lambda: source.read(RECORD_BYTES), b""):
                writer.write(block)
            writer.finish()
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, path)


def sha256_of_chunks(chunks: Iterator[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def open_sealed_bytes(data: bytes, key: FilesKey, name: str, tolerant: bool = False) -> bytes:
    """The plain bytes of a whole sealed stream held in memory (a bundle's section); BlobDamaged otherwise.

    ``tolerant``: a record that does not open reads as zeros of its length (the caller checks what it
    holds by hash); the stream must still end on its closing record.
    """
    import io

    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + SALT_BYTES:
        raise BlobDamaged(f"sealed section {name} does not begin as one")
    reader = _Reader(io.BytesIO(data), key, name, len(data))
    if not tolerant:
        return b"".join(reader.chunks())
    records = list(_records(reader.handle, reader.size))
    if not records or records[-1].length != 0 or records[-1].file_offset + _TAG != len(data):
        raise BlobDamaged(f"sealed section {name} is cut off")
    reader.open(records[-1], closing=True)
    return b"".join(_tolerant(reader, record) for record in records[:-1])


def _tolerant(reader: _Reader, record: _Record) -> bytes:
    try:
        return reader.open(record, closing=False)
    except BlobDamaged:
        return bytes(record.length)


def sealed_stream_length(plain_bytes: int) -> int:
    """How long a sealed stream of ``plain_bytes`` is once finished (known before it is written)."""
    records = -(-plain_bytes // RECORD_BYTES)
    return len(MAGIC) + SALT_BYTES + (records + 1) * (_LENGTH.size + _TAG) + plain_bytes
