"""``station backup FILE``: a consistent, encrypted copy of the store and the attachment files.

The store is copied with SQLite's online backup API from a read-only connection of its
own, so the app goes on writing while it runs and the copy is one consistent moment.
Attachment files are content-addressed and never change once written, so copying them
after the store's snapshot gives every file the snapshot names (and perhaps a newer one).

The file: a magic line, a header line (JSON: station, time, the recovery public key it
is sealed to, an ephemeral X25519 public key) and then a gzip'd tar stream cut into
1 MiB frames, each sealed with AES-256-GCM under a key agreed between the ephemeral key
and the station's recovery key (HKDF-SHA256). Each frame's nonce is its number and a
last-frame flag, and the header's hash is the associated data: a frame moved, dropped,
changed or cut off, or a changed header, fails to open. The target gets no readable
byte. The store's snapshot is made in a temporary file inside the home (beside the store
it copies), encrypted like the store but under a fresh key of its own that travels inside
the sealed stream (``store.key``), and removed as soon as it is sealed. (Backups written
before the store was encrypted hold a plain snapshot and no ``store.key``; they still
restore.) Written beside the target and renamed, so a power cut never leaves a half
backup under the target's name.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import struct
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from station.errors import BadInput, NotFound
from station.home import StationHome
from station.store import connect_store

from .attachments.blobs import BlobFiles, is_sha256
from .datakey import new_data_key
from .recovery import load_public, public_key_file, public_text

__all__ = ["MAGIC", "BackupSummary", "OpenedBackup", "KeepFile", "write_backup", "open_backup", "STORE_NAME", "STORE_KEY_NAME",
           "ATTACHMENTS_PREFIX"]

MAGIC = b"SSBACKUP1\n"
FRAME_BYTES = 1 << 20
STORE_NAME = "station.db"
STORE_KEY_NAME = "store.key"
"""The snapshot's own data key (hex), inside the sealed stream."""
ATTACHMENTS_PREFIX = "attachments/"
_INFO = b"service-station backup v1"


@dataclass(frozen=True)
class BackupSummary:
    file: str
    station: str
    created_at: str
    events: int
    cases: int
    attachment_files: int
    bytes: int

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


# -- writing ---------------------------------------------------------------------------

def write_backup(home: StationHome, station: str, created_at: str, target: Path, key: bytes | None,
                 files: BlobFiles) -> BackupSummary:
    """``key``: the store's data key (None for a plain store); ``files``: the attachment files, read through
    their one reader (they go into the sealed stream as their plain bytes, and a restore seals them again
    under the new PC's own files key)."""
    recipient = _recipient(home)
    if not target.parent.is_dir():
        raise NotFound(f"找不到文件夹 {target.parent}：请检查 U 盘是否插好，或换一个保存位置")
    ephemeral = X25519PrivateKey.generate()
    header = {"station": station, "created_at": created_at, "recipient": public_text(recipient),
              "ephemeral": public_text(ephemeral.public_key()), "frame_bytes": FRAME_BYTES}
    header_line = json.dumps(header, separators=(",", ":")).encode("ascii")
    frame_key = _frame_key(ephemeral.exchange(recipient), header_line)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with _store_snapshot(home, key) as (snapshot, snapshot_key), partial.open("wb") as out:
            counts = _counts(snapshot, snapshot_key)
            out.write(MAGIC + header_line + b"\n")
            sealer = _Sealer(out, frame_key, hashlib.sha256(header_line).digest())
            copied = _write_tar(sealer, snapshot, snapshot_key, files)
            sealer.finish()
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BadInput(f"备份没能写到 {target}（{exc.strerror}）：请检查 U 盘是否插好、是否已满、是否只读") from exc
    return BackupSummary(str(target), station, created_at, counts[0], counts[1], copied, target.stat().st_size)


def _recipient(home: StationHome) -> X25519PublicKey:
    path = public_key_file(home.root)
    if not path.is_file():
        raise BadInput("本站还没有恢复密钥，无法加密备份：请先运行 station rekey，把打印出的恢复密钥交乡镇保管")
    return load_public(path.read_text(encoding="ascii").strip())


@contextmanager
def _store_snapshot(home: StationHome, key: bytes | None) -> Iterator[tuple[Path, bytes]]:
    """A consistent copy of the store taken with the online backup API under a fresh key, removed afterwards."""
    handle, name = tempfile.mkstemp(prefix=".backup-", suffix=".db", dir=home.root)
    os.close(handle)
    copy = Path(name)
    snapshot_key = new_data_key()
    try:
        source = connect_store(home.database, key, read_only=True)
        target = connect_store(copy, snapshot_key)
        try:
            source.backup(target)  # one step: the whole file at one moment, writers go on meanwhile
        finally:
            target.close()
            source.close()
        yield copy, snapshot_key
    finally:
        copy.unlink(missing_ok=True)


def _counts(snapshot: Path, key: bytes) -> tuple[int, int]:
    conn = connect_store(snapshot, key)
    try:
        return (conn.execute("SELECT count(*) FROM events").fetchone()[0],
                conn.execute("SELECT count(*) FROM cases").fetchone()[0])
    finally:
        conn.close()


def _write_tar(sealer: _Sealer, snapshot: Path, snapshot_key: bytes, files: BlobFiles) -> int:
    copied = 0
    with tarfile.open(fileobj=sealer, mode="w|gz") as tar:  # type: ignore[call-overload]
        tar.add(snapshot, arcname=STORE_NAME)
        key_text = snapshot_key.hex().encode("ascii")
        entry = tarfile.TarInfo(STORE_KEY_NAME)
        entry.size = len(key_text)
        tar.addfile(entry, io.BytesIO(key_text))
        for sha256 in _stored_files(files.root):
            if _add_file(tar, files, sha256):
                copied += 1
    return copied


def _stored_files(root: Path) -> list[str]:
    """The digests of the whole files in the attachment folder (no partial download, no temporary file)."""
    found = [path.parent.name + path.name for path in root.glob("[0-9a-f][0-9a-f]/*")] if root.is_dir() else []
    return sorted(name for name in found if is_sha256(name))


def _add_file(tar: tarfile.TarFile, files: BlobFiles, sha256: str) -> bool:
    """One file's plain bytes into the sealed stream; a file that does not open stays out (it is damaged)."""
    if not files.verify(sha256):
        return False
    entry = tarfile.TarInfo(f"{ATTACHMENTS_PREFIX}{sha256[:2]}/{sha256[2:]}")
    entry.size = files.size(sha256)
    tar.addfile(entry, _ChunkReader(files.chunks(sha256)))
    return True


class _ChunkReader(io.RawIOBase):
    """A readable stream over a file's plain pieces (tar reads it in blocks; no whole file in memory)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._left = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._left:
            self._left = next(self._chunks, b"")
            if not self._left:
                return 0
        count = min(len(target), len(self._left))
        target[:count] = self._left[:count]
        self._left = self._left[count:]
        return count


def _frame_key(shared: bytes, header_line: bytes) -> bytes:
    """The frames' key: the agreed secret bound to this header (which names both public keys)."""
    return HKDF(hashes.SHA256(), 32, salt=hashlib.sha256(header_line).digest(), info=_INFO).derive(shared)


def _nonce(number: int, last: bool) -> bytes:
    return struct.pack(">Q", number) + (b"\x00\x00\x00\x01" if last else b"\x00\x00\x00\x00")


class _Sealer(io.RawIOBase):
    """A write-only stream that seals what it is given into numbered AES-GCM frames."""

    def __init__(self, out: BinaryIO, key: bytes, associated: bytes) -> None:
        super().__init__()
        self.out, self.aead, self.associated = out, AESGCM(key), associated
        self.buffer = bytearray()
        self.number = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += data
        while len(self.buffer) > FRAME_BYTES:
            self._frame(bytes(self.buffer[:FRAME_BYTES]), last=False)
            del self.buffer[:FRAME_BYTES]
        return len(data)

    def finish(self) -> None:
        self._frame(bytes(self.buffer), last=True)
        self.buffer.clear()

    def _frame(self, plain: bytes, last: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.number, last), plain, self.associated)
        self.out.write(struct.pack(">I", len(sealed)) + sealed)
        self.number += 1


# -- reading ---------------------------------------------------------------------------

@dataclass(frozen=True)
class OpenedBackup:
    """A backup unsealed for a restore: its header, and its snapshot's key (kept in memory, never on disk)."""

    header: dict[str, Any]
    store_key: bytes | None
    """None: a backup written before stores were encrypted (its snapshot is plain)."""
    files: int
    """Attachment files handed to ``keep_file``."""


KeepFile = Callable[[str, IO[bytes]], bool]
"""Take one attachment file (its SHA-256, its plain bytes as a stream); True if it was kept."""


@contextmanager
def open_backup(path: Path, recovery_key: X25519PrivateKey, into: Path, station: str,
                keep_file: KeepFile) -> Iterator[OpenedBackup]:
    """Unseal the backup of ``station``: its store's snapshot (encrypted under its own key) into
    the folder ``into`` (removed afterwards); each attachment file straight to ``keep_file``
    as it is read, so no readable copy of it, nor the snapshot's key, is ever written."""
    if not path.is_file():
        raise NotFound(f"找不到备份文件 {path}：请检查 U 盘是否插好、文件名是否写对")
    into.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("rb") as handle:
            header, header_line = _read_header(handle, path)
            if header["station"] != station:
                raise BadInput(f"{path.name} 是站点 {header['station']} 的备份，本机是 {station}：不能恢复到这里")
            key = _backup_key(header, header_line, recovery_key, path)
            stream = _Opener(handle, key, hashlib.sha256(header_line).digest(), path.name)
            unpacked = _extract(stream, into, path.name, keep_file)
            stream.drain()
        yield OpenedBackup(header, unpacked.store_key, unpacked.files)
    finally:
        _remove_tree(into)


def _backup_key(header: dict[str, Any], header_line: bytes, recovery_key: X25519PrivateKey, path: Path) -> bytes:
    recipient = load_public(header["recipient"])
    if public_text(recovery_key.public_key()) != public_text(recipient):
        raise BadInput(f"{path.name} 不是用这个恢复密钥加密的：请找写这份备份时的恢复密钥"
                       "（station rekey 之后写的备份要用新密钥，之前的要用旧密钥）")
    return _frame_key(recovery_key.exchange(load_public(header["ephemeral"])), header_line)


def _read_header(handle: BinaryIO, path: Path) -> tuple[dict[str, Any], bytes]:
    if handle.read(len(MAGIC)) != MAGIC:
        raise BadInput(f"{path.name} 不是便民服务站的备份文件（文件开头不对）")
    line = handle.readline(4096).rstrip(b"\n")
    try:
        header = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise BadInput(f"{path.name} 的文件头无法读取：备份已损坏") from exc
    if not isinstance(header, dict) or not all(isinstance(header.get(k), str) for k in
                                               ("station", "created_at", "recipient", "ephemeral")):
        raise BadInput(f"{path.name} 的文件头缺少必要信息：备份已损坏")
    return header, line


class _Opener(io.RawIOBase):
    """A read-only stream of the frames' plain bytes; any frame that fails to open stops everything."""

    def __init__(self, source: BinaryIO, key: bytes, associated: bytes, name: str) -> None:
        super().__init__()
        self.source, self.aead, self.associated, self.name = source, AESGCM(key), associated, name
        self.pending = b""
        self.number = 0
        self.ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self.pending and not self.ended:
            self.pending = self._next_frame()
        count = min(len(target), len(self.pending))
        target[:count] = self.pending[:count]
        self.pending = self.pending[count:]
        return count

    def drain(self) -> None:
        """Open what the tar reader left (its zero padding): the last frame must be there, nothing after it."""
        while not self.ended:
            self._next_frame()
        if self.source.read(1):
            raise BadInput(f"{self.name} 在最后一段之后还有多余的内容：备份被改动过，请换一份")

    def _next_frame(self) -> bytes:
        size = self.source.read(4)
        if len(size) < 4:
            raise BadInput(f"{self.name} 不完整（在第 {self.number + 1} 段被截断）：备份已损坏，请换一份")
        sealed = self.source.read(struct.unpack(">I", size)[0])
        for last in (False, True):
            try:
                plain = self.aead.decrypt(_nonce(self.number, last), sealed, self.associated)
            except InvalidTag:
                continue
            self.number += 1
            self.ended = last
            return plain
        raise BadInput(f"{self.name} 第 {self.number + 1} 段无法解开：恢复密钥不对，或备份被改动、已损坏")


@dataclass
class _Unpacked:
    store_key: bytes | None = None
    files: int = 0


def _extract(stream: _Opener, into: Path, name: str, keep_file: KeepFile) -> _Unpacked:
    unpacked = _Unpacked()
    try:
        with tarfile.open(fileobj=stream, mode="r|gz") as tar:  # type: ignore[call-overload]
            for member in tar:
                _check_member(member, name)
                if member.name == STORE_NAME:
                    tar.extract(member, into, set_attrs=False)
                    continue
                content = tar.extractfile(member)
                assert content is not None  # a plain file: _check_member
                if member.name == STORE_KEY_NAME:
                    unpacked.store_key = _store_key(content.read(128))
                elif keep_file(member.name.removeprefix(ATTACHMENTS_PREFIX).replace("/", ""), content):
                    unpacked.files += 1
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BadInput(f"{name} 的内容无法读取（{exc}）：备份已损坏，请换一份") from exc
    return unpacked


def _store_key(text: bytes) -> bytes:
    try:
        key = bytes.fromhex(text.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        key = b""
    if len(key) != 32:
        raise BadInput("备份里的数据库密钥已损坏：请换一份备份")
    return key


def _check_member(member: tarfile.TarInfo, name: str) -> None:
    """Only the store and attachment files, as plain files inside the folder."""
    parts = member.name.split("/")
    allowed = member.name in (STORE_NAME, STORE_KEY_NAME) or (member.name.startswith(ATTACHMENTS_PREFIX) and len(parts) > 1)
    if not member.isfile() or not allowed or ".." in parts or member.name.startswith("/"):
        raise BadInput(f"{name} 里有不该有的内容（{member.name}）：这不是本工具写的备份")


def _remove_tree(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
