"""Bundles version 2 (``SSBUNDLE2``): signed as before, and sealed to the stations that may open them.

A lost stick must leak nothing: names, ID numbers, phones, answers, file names and scans
are all inside AES-256-GCM. The file is

- ``MAGIC`` and a clear header line (JSON): the origin ``station``, ``created_at``, its
  signing ``public_key``, the ``recipients`` and the two sections' lengths
  (``payload_bytes``, ``files_bytes``). Each recipient (a station code, or ``hub`` for the
  city hall) has one seal of the bundle's random 32-byte content key to its X25519
  encryption key (an ephemeral X25519 key, HKDF-SHA256, AES-GCM: :mod:`station.keyseal`),
  bound to this origin, time and recipient;
- the payload section: a manifest line (``events``, the listed ``files`` with the SHA-256
  of each) and the gzip'd batch (with the bundles it carries), sealed as AES-GCM records
  (the attachment files' record format, :mod:`station.sealed_files`, under HKDF of the
  content key and the section's own salt);
- a signature line (JSON): the SHA-256 of the payload's ciphertext and the origin's
  Ed25519 signature over the header line and that digest;
- the files section: the listed files' bytes one after another, sealed the same way
  (absent in a relayed copy and when there are no files).

So anyone can check that the origin signed exactly this header and ciphertext (the city
hall checks the key it enrolled; a relaying station checks the key in the header), and
only a recipient reads them. The files are bound to the signature through the SHA-256
each has in the signed manifest: a recipient opens the section record by record and
names every file that does not match (a record that fails to open damages the files it
holds, not the others). A copy without its files section (``Bundle.relayable``) still
verifies: it is what a township relays and carries (its files go up by the resumable
upload). Bundles version 1 are read by :mod:`sync.bundle` as before.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from station.keys import load_public_key, public_key_text
from station.keyseal import Seal, load_public, open_seal, seal_secret
from station.ledger import Event
from station.sealed_files import BlobDamaged, FilesKey, SealedWriter, open_sealed_bytes, sealed_stream_length

from .signing import sign_bytes, verify_bytes
from .wire import encode_batch

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from .bundle import Bundle, BundleFile

__all__ = ["MAGIC2", "HUB", "Recipient", "NotARecipient", "SealedBundleWriter", "write_sealed_bundle",
           "read_sealed_bundle", "without_files"]

MAGIC2 = b"SSBUNDLE2\n"
HUB = "hub"
"""The city hall's name among a bundle's recipients."""
_SEAL_INFO = b"service-station bundle v2: content key"
_PAYLOAD, _FILES = "bundle-payload", "bundle-files"
_HEADER_KEYS = ("station", "created_at", "public_key")


@dataclass(frozen=True)
class Recipient:
    name: str
    """A station code, or :data:`HUB`."""
    key: str
    """Its X25519 encryption public key (text)."""


class _Hashing:
    """A file handle that also hashes and counts what goes through it."""

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.digest, self.count = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.count += len(data)
        return self.out.write(data)


def _context(station: str, created_at: str, name: str) -> bytes:
    return "\n".join(["bundle2", station, created_at, name]).encode("utf-8")


class SealedBundleWriter:
    """Writes one sealed bundle to ``out``: the head at once, then each listed file's bytes, then :meth:`finish`."""

    def __init__(self, out: BinaryIO, key: Ed25519PrivateKey, station: str, events: list[Event], created_at: str,
                 recipients: Sequence[Recipient], carried: Sequence[bytes] = (), files: Sequence[BundleFile] = ()
                 ) -> None:
        content = secrets.token_bytes(32)
        self._files_key = FilesKey(content)
        self._plain_files = sum(listed.size for listed in files)
        payload = self._sealed_payload(events, carried, files)
        header: dict[str, Any] = {
            "format": 2, "station": station, "created_at": created_at, "public_key": public_key_text(key),
            "recipients": [{"to": r.name, **seal_secret(load_public(r.key), content, _SEAL_INFO,
                                                        _context(station, created_at, r.name))} for r in recipients],
            "payload_bytes": len(payload), "files_bytes": sealed_stream_length(self._plain_files) if files else 0}
        header_line = json.dumps(header, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        digest = hashlib.sha256(payload).hexdigest()
        signature = {"payload_sha256": digest, "signature": sign_bytes(key, _signed_text(header_line, digest))}
        head = MAGIC2 + header_line + b"\n" + payload + json.dumps(signature, separators=(",", ":")).encode() + b"\n"
        out.write(head)
        self._head_bytes = len(head)
        self._files: _Hashing | None = None
        self._writer: SealedWriter | None = None
        if files:
            self._files = _Hashing(out)
            self._writer = SealedWriter.create(self._files, self._files_key, _FILES)  # type: ignore[arg-type]

    def _sealed_payload(self, events: list[Event], carried: Sequence[bytes], files: Sequence[BundleFile]) -> bytes:
        batch = encode_batch(events, carried=[base64.b64encode(c).decode("ascii") for c in carried])
        manifest = {"events": len(events), "files": [asdict(listed) for listed in files]}
        buffer = io.BytesIO()
        writer = SealedWriter.create(buffer, self._files_key, _PAYLOAD)
        writer.write(json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
        writer.write(batch)
        writer.finish()
        return buffer.getvalue()

    def write(self, plain: bytes | memoryview) -> None:
        """The next bytes of the listed files, in their order."""
        assert self._writer is not None, "no files were listed"
        self._writer.write(plain)

    def finish(self) -> int:
        """Close the files section; returns the bundle's length in bytes."""
        if self._writer is not None and self._files is not None:
            self._writer.finish()
            if self._files.count != sealed_stream_length(self._plain_files):
                raise ValueError("the listed files' bytes did not add up to their sizes")
        return self._head_bytes + (self._files.count if self._files is not None else 0)


def write_sealed_bundle(key: Ed25519PrivateKey, station: str, events: list[Event], created_at: str,
                        recipients: Sequence[Recipient], carried: Sequence[bytes] = (),
                        files: Sequence[tuple[BundleFile, bytes]] = ()) -> bytes:
    """The whole bundle in memory (tests, small bundles); :class:`SealedBundleWriter` streams."""
    buffer = io.BytesIO()
    writer = SealedBundleWriter(buffer, key, station, events, created_at, recipients, carried,
                                [listed for listed, _ in files])
    for _, data in files:
        writer.write(data)
    writer.finish()
    return buffer.getvalue()


def _signed_text(header_line: bytes, payload_sha256: str) -> bytes:
    return b"bundle2\n" + header_line + b"\n" + payload_sha256.encode("ascii")


# -- reading -----------------------------------------------------------------------------


def _error(*problems: str) -> Exception:
    from .bundle import BundleError

    return BundleError(*problems)


class NotARecipient(ValueError):
    """An intact sealed bundle (its signature checked) that none of the reader's keys opens."""

    def __init__(self, station: str, recipients: list[str]) -> None:
        self.station, self.recipients = station, recipients
        super().__init__(f"bundle of {station} sealed to {', '.join(recipients) or 'nobody'}")


@dataclass(frozen=True)
class _Parts:
    header: dict[str, Any]
    header_line: bytes
    payload: bytes
    signature_line: bytes
    files: memoryview

    def without_files(self) -> bytes:
        return MAGIC2 + self.header_line + b"\n" + self.payload + self.signature_line


def without_files(data: bytes) -> bytes:
    """The bundle as it is relayed: its files section dropped (no key needed; it still verifies)."""
    return _split(data).without_files()


def read_sealed_bundle(data: bytes, keys: Mapping[str, X25519PrivateKey]) -> Bundle:
    """Check the signature over the ciphertext, then open it with the first of ``keys`` (name → private key)
    it is sealed to; :class:`NotARecipient` when none is, a ``BundleError`` when it is not intact."""
    from .bundle import Bundle, file_contents, listed_files, printable

    parts = _split(data)
    origin = printable(str(parts.header["station"]))
    _check_signed(parts, origin)
    content = FilesKey(_content_key(parts.header, keys))
    try:
        plain = open_sealed_bytes(parts.payload, content, _PAYLOAD)
        line_end = plain.index(b"\n")
        manifest = json.loads(plain[:line_end].decode("utf-8"))
    except (BlobDamaged, ValueError, UnicodeDecodeError) as exc:
        raise _error(f"数据包无法解密（{origin}）：{exc}，请重新导出") from exc
    if not isinstance(manifest, dict):
        raise _error(f"数据包内容无法读取（{origin}），请重新导出")
    listed = listed_files({"files": manifest.get("files", []), "payload_bytes": 0})
    events, carried = _events(plain[line_end + 1:])
    contents = file_contents(memoryview(_files_plain(parts.files, content, origin)), listed) if parts.files else {}
    recipients = [str(r.get("to")) for r in parts.header["recipients"]]
    return Bundle(station=str(parts.header["station"]), created_at=str(parts.header["created_at"]),
                  public_key=str(parts.header["public_key"]), events=events, carried=carried, raw=data,
                  files=listed, contents=contents, relayable=parts.without_files(), recipients=recipients)


def _files_plain(files: memoryview, content: FilesKey, origin: str) -> bytes:
    """The files section opened record by record: a damaged record reads as zeros, so the files it held
    fail their SHA-256 and are named, the others come through."""
    try:
        return open_sealed_bytes(bytes(files), content, _FILES, tolerant=True)
    except BlobDamaged as exc:
        raise _error(f"数据包的附件部分不完整或已损坏（{origin}），请重新导出") from exc


def _split(data: bytes) -> _Parts:
    line_end = data.find(b"\n", len(MAGIC2))
    if line_end < 0:
        raise _error("数据包不完整（文件被截断），请重新导出")
    header_line = data[len(MAGIC2):line_end]
    header = _json_line(header_line, "数据包头")
    if (any(not isinstance(header.get(k), str) for k in _HEADER_KEYS) or not isinstance(header.get("recipients"), list)
            or not all(isinstance(r, dict) for r in header["recipients"])
            or not all(_is_count(header.get(k)) for k in ("payload_bytes", "files_bytes"))):
        raise _error("数据包头缺少必要信息")
    payload_end = line_end + 1 + header["payload_bytes"]
    signature_end = data.find(b"\n", payload_end)
    if payload_end >= len(data) or signature_end < 0:
        raise _error(f"数据包不完整（{header['station']} 的记录部分被截断），请重新导出")
    files = memoryview(data)[signature_end + 1:]
    if len(files) not in (0, header["files_bytes"]):
        raise _error(f"数据包的附件部分不完整：应有 {header['files_bytes']} 字节，实有 {len(files)} 字节，请重新导出")
    return _Parts(header, header_line, data[line_end + 1:payload_end], data[payload_end:signature_end + 1], files)


def _json_line(line: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # ValueError: also an integer past the digit limit
        raise _error(f"{what}无法读取：{exc}") from exc
    if not isinstance(value, dict):
        raise _error(f"{what}无法读取")
    return value


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_signed(parts: _Parts, origin: str) -> None:
    signed = _json_line(parts.signature_line.rstrip(b"\n"), "数据包的签名")
    digest = hashlib.sha256(parts.payload).hexdigest()
    if signed.get("payload_sha256") != digest:
        raise _error(f"数据包已损坏或被改动（{origin} 的内容校验不符），请重新导出")
    signature = signed.get("signature")
    try:
        signed_ok = isinstance(signature, str) and verify_bytes(
            load_public_key(str(parts.header["public_key"])), signature, _signed_text(parts.header_line, digest))
    except ValueError:
        signed_ok = False
    if not signed_ok:
        raise _error(f"数据包签名无效（{origin}），请重新导出")


def _content_key(header: dict[str, Any], keys: Mapping[str, X25519PrivateKey]) -> bytes:
    station, created_at = str(header["station"]), str(header["created_at"])
    seals: list[Seal] = header["recipients"]
    for seal in seals:
        name = seal.get("to")
        key = keys.get(name) if isinstance(name, str) else None
        opened = open_seal(seal, key, _SEAL_INFO, _context(station, created_at, name)) if key and name else None
        if opened is not None and len(opened) == 32:
            return opened
    raise NotARecipient(station, [str(seal.get("to")) for seal in seals])


def _events(batch: bytes) -> tuple[list[Event], list[bytes]]:
    from .wire import WireError, decode_batch

    try:
        events, extra = decode_batch(batch)
        return events, [base64.b64decode(c, validate=True) for c in extra.get("carried", [])]
    except (WireError, binascii.Error, TypeError) as exc:
        raise _error(f"数据包内容无法读取：{exc}") from exc
