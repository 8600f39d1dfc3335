"""Bundles: the USB-stick path for stations with no link (DESIGN §5).

A bundle is one file: a magic line, a header line (JSON) and a gzip'd batch. The
header names the origin station, its public key, the batch's SHA-256 and a signature
by the origin's key over the header. A station that imports a bundle keeps its bytes
unchanged and relays them upward; the city hall checks the signature against the
origin's enrolled key, so a relaying station cannot alter or invent the origin's events.
Bundles a station is still carrying travel inside its own next bundle.

Attachment files (the wire copies) ride after the batch, raw, one after another: no
base64, no JSON around them. The signed header lists each file (SHA-256, size, type,
name, case) and the batch's length, so every file is checked against a hash the origin
signed. A bundle without files has neither key and is byte for byte the older format.
The events without the files (``Bundle.relayable``) still verify on their own: that is
the form a station relays to the city hall and carries inside its own bundles, while
the files go up through the resumable file upload and travel in the outer bundle.

A station cannot know other stations' keys, so on import it checks integrity (hashes
and the signature against the embedded key); authenticity is checked at the hub.

This module writes and reads format 1 (``SSBUNDLE1``: signed, not sealed); stations now
export format 2 (``SSBUNDLE2``, :mod:`sync.sealed_bundle`: the same content sealed to its
recipients), and :func:`read_bundle` reads both.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from station.keys import load_public_key, public_key_text
from station.ledger import Event

from .signing import sign_bytes, verify_bytes
from .wire import WireError, decode_batch, encode_batch

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

__all__ = ["Bundle", "BundleError", "BundleFile", "bundle_head", "write_bundle", "read_bundle", "printable", "MAGIC",
           "OpeningKeys", "readable_carried", "listed_files", "file_contents"]

MAGIC = b"SSBUNDLE1\n"
_MAX_DEPTH = 4
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BundleError(ValueError):
    """A file that is not an intact bundle; ``problems`` says why, every one of them."""

    def __init__(self, *problems: str) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class BundleFile:
    """One attachment file as the signed header lists it."""

    sha256: str
    size: int
    type: str
    name: str = ""
    case: str = ""

    def label(self) -> str:
        """How a person is told which file: its case and name as the origin wrote them, made printable."""
        case = f"案件 {printable(self.case)} 的" if self.case else ""
        return f"{case}附件“{printable(self.name) or '未命名'}”（SHA-256 {self.sha256[:12]}…）"


OpeningKeys = Mapping[str, "X25519PrivateKey"]
"""A reader's own encryption keys by recipient name (its station code, or ``hub``)."""
_Header = dict[str, object]
"""A bundle's header line as JSON; its keys are checked where they are read."""
_FILE_KEYS = frozenset(f.name for f in fields(BundleFile))
_REQUIRED_FILE_KEYS = frozenset({"sha256", "size", "type"})
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def printable(text: str) -> str:
    """``text`` without control and format characters, safe to echo to a terminal."""
    return "".join(c for c in text if unicodedata.category(c) not in _UNPRINTABLE)


@dataclass
class Bundle:
    station: str
    created_at: str
    public_key: str
    events: list[Event]
    carried: list[bytes] = field(default_factory=list)
    """Other stations' bundles, byte for byte, that this station was asked to relay."""
    raw: bytes = b""
    files: list[BundleFile] = field(default_factory=list)
    """Every file the origin listed in its signed header."""
    contents: dict[str, memoryview] = field(default_factory=dict)
    """The listed files' bytes by SHA-256 (views into ``raw``), each verified; empty when the files were left behind."""
    relayable: bytes = b""
    """The bundle without its files: what goes to the city hall and inside other bundles."""
    recipients: list[str] = field(default_factory=list)
    """Who may open a sealed bundle (station codes, ``hub``); empty for a bundle of version 1."""

    @property
    def files_left_behind(self) -> list[BundleFile]:
        """Listed files whose bytes are not in this copy (a relayed copy, or a stick whose file section was cut off)."""
        return [listed for listed in self.files if listed.sha256 not in self.contents]


def write_bundle(key: Ed25519PrivateKey, station: str, events: list[Event], created_at: str,
                 carried: Sequence[bytes] = (), files: Sequence[tuple[BundleFile, bytes]] = ()) -> bytes:
    head = bundle_head(key, station, events, created_at, carried, [listed for listed, _ in files])
    return b"".join([head, *(data for _, data in files)])


def bundle_head(key: Ed25519PrivateKey, station: str, events: list[Event], created_at: str,
                carried: Sequence[bytes] = (), files: Sequence[BundleFile] = ()) -> bytes:
    """Everything before the files: write this, then each listed file's bytes in order."""
    payload = encode_batch(events, carried=[base64.b64encode(c).decode("ascii") for c in carried])
    header: _Header = {"station": station, "created_at": created_at, "public_key": public_key_text(key),
                              "sha256": hashlib.sha256(payload).hexdigest(), "events": len(events)}
    if files:
        header["files"] = [asdict(listed) for listed in files]
        header["payload_bytes"] = len(payload)
    header["signature"] = sign_bytes(key, _header_text(header))
    return MAGIC + json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" + payload


def read_bundle(data: bytes, depth: int = 0, keys: OpeningKeys | None = None) -> Bundle:
    """A bundle of either version; ``keys`` (name → X25519 private key) open a sealed one.

    A sealed bundle none of ``keys`` opens raises :class:`NotARecipient` once its signature
    is checked; one it carries that is not for this reader is checked the same way and skipped.
    """
    from .sealed_bundle import MAGIC2, read_sealed_bundle

    if data.startswith(MAGIC2):
        bundle = read_sealed_bundle(data, keys or {})
        _check_carried(bundle.carried, depth, keys)
        return bundle
    if not data.startswith(MAGIC):
        raise BundleError("不是便民服务站的数据包（文件开头不对）")
    line_end = data.find(b"\n", len(MAGIC))
    line_end = len(data) if line_end < 0 else line_end
    header_line = data[len(MAGIC):line_end]
    header = _header(header_line)
    listed = listed_files(header)
    payload, attached = _split(memoryview(data)[line_end + 1:], header)  # views: the files are not copied
    _check_signed(header, payload)
    contents = file_contents(attached, listed)
    try:
        events, extra = decode_batch(payload)
        carried = [base64.b64decode(c, validate=True) for c in extra.get("carried", [])]
    except (WireError, binascii.Error, TypeError) as exc:
        raise BundleError(f"数据包内容无法读取：{exc}") from exc
    _check_carried(carried, depth, keys)
    relayable = MAGIC + header_line + b"\n" + payload
    return Bundle(station=str(header["station"]), created_at=str(header["created_at"]),
                  public_key=str(header["public_key"]),
                  events=events, carried=carried, raw=data, files=listed, contents=contents, relayable=relayable)


def _check_carried(carried: list[bytes], depth: int, keys: OpeningKeys | None) -> None:
    from .sealed_bundle import NotARecipient

    if depth >= _MAX_DEPTH and carried:
        raise BundleError("数据包嵌套过深")
    for inner in carried:
        try:
            read_bundle(inner, depth + 1, keys)
        except NotARecipient:
            continue  # intact (its signature was checked), sealed to others: it travels on unread


def readable_carried(bundle: Bundle, keys: OpeningKeys | None) -> list[Bundle]:
    """The bundle and every bundle it carries that ``keys`` open, depth first (the others stay sealed)."""
    from .sealed_bundle import NotARecipient

    found = [bundle]
    for raw in bundle.carried:
        try:
            found += readable_carried(read_bundle(raw, keys=keys), keys)
        except NotARecipient:
            continue
    return found


def _header(line: bytes) -> _Header:
    try:
        header = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # ValueError: also an integer past the digit limit
        raise BundleError(f"数据包头无法读取：{exc}") from exc
    keys = ("station", "created_at", "public_key", "sha256", "signature")
    if not isinstance(header, dict) or any(not isinstance(header.get(k), str) for k in keys):
        raise BundleError("数据包头缺少必要信息")
    return header


def listed_files(header: _Header) -> list[BundleFile]:
    """The signed file list; keys a later writer may add are ignored (they are signed all the same)."""
    raw = header.get("files", [])
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        raise BundleError("数据包头的附件清单无法读取，请重新导出")
    listed = [_file_entry(entry) for entry in raw]
    problems = []
    for number, entry in enumerate(listed, 1):
        wrong = _entry_problems(entry)
        if wrong:
            problems.append(f"数据包头的附件清单第 {number} 项有误（{'、'.join(wrong)}），请重新导出")
    if not problems:
        problems += _duplicates([entry for entry in listed if entry is not None])
    if (listed or "payload_bytes" in header) and not _is_count(header.get("payload_bytes")):
        problems.append("数据包头缺少记录部分的长度（payload_bytes），请重新导出")
    if problems:
        raise BundleError(*problems)
    return [entry for entry in listed if entry is not None]


def _file_entry(entry: dict[str, Any]) -> BundleFile | None:
    """One listed file, its unknown keys dropped; ``None`` when a key every file needs is missing."""
    if not entry.keys() >= _REQUIRED_FILE_KEYS:
        return None
    return BundleFile(**{key: value for key, value in entry.items() if key in _FILE_KEYS})


def _entry_problems(entry: BundleFile | None) -> list[str]:
    if entry is None:
        return ["缺少 SHA-256、大小或类型"]
    problems = []
    if not (isinstance(entry.sha256, str) and _SHA256.fullmatch(entry.sha256)):
        problems.append("SHA-256 无效")
    if not _is_count(entry.size):
        problems.append("大小不是非负整数")
    if not all(isinstance(text, str) for text in (entry.type, entry.name, entry.case)):
        problems.append("类型、名称或案件编号不是文字")
    return problems


def _duplicates(listed: list[BundleFile]) -> list[str]:
    counts = Counter(entry.sha256 for entry in listed)
    repeated = {entry.sha256: entry for entry in listed if counts[entry.sha256] > 1}
    return [f"数据包头的附件清单重复列出了{entry.label()}，请重新导出" for entry in repeated.values()]


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _split(rest: memoryview, header: _Header) -> tuple[bytes, memoryview]:
    """The gzip'd batch, and the file bytes after it (none in a bundle without files)."""
    length = header.get("payload_bytes")
    if not isinstance(length, int):  # none in a bundle without files (_listed_files refused any other value)
        return bytes(rest), rest[len(rest):]
    if length > len(rest):
        raise BundleError(f"数据包不完整（{_origin(header)} 的记录部分被截断），请重新导出")
    return bytes(rest[:length]), rest[length:]


def _check_signed(header: _Header, payload: bytes) -> None:
    if hashlib.sha256(payload).hexdigest() != header["sha256"]:
        raise BundleError(f"数据包已损坏或被改动（{_origin(header)} 的内容校验不符），请重新导出")
    try:
        signed_ok = verify_bytes(load_public_key(str(header["public_key"])), str(header["signature"]),
                                 _header_text(header))
    except ValueError:
        signed_ok = False
    if not signed_ok:
        raise BundleError(f"数据包签名无效（{_origin(header)}），请重新导出")


def _origin(header: _Header) -> str:
    return printable(str(header["station"]))


def file_contents(attached: memoryview, listed: list[BundleFile]) -> dict[str, memoryview]:
    """Each listed file's bytes, checked against its signed hash; every bad file named at once."""
    if not attached:
        return {}  # the files were left behind (a relayed or carried copy): the events stand alone
    expected = sum(entry.size for entry in listed)
    if len(attached) != expected:
        raise BundleError(f"数据包的附件部分不完整：应有 {expected} 字节，实有 {len(attached)} 字节，请重新导出")
    contents, problems, offset = {}, [], 0
    for entry in listed:
        data = attached[offset:offset + entry.size]
        offset += entry.size
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            problems.append(f"{entry.label()}已损坏（校验不符），请重新导出数据包")
        contents[entry.sha256] = data
    if problems:
        raise BundleError(*problems)
    return contents


def _header_text(header: _Header) -> bytes:
    unsigned = {k: v for k, v in header.items() if k != "signature"}
    return b"bundle\n" + json.dumps(unsigned, sort_keys=True, separators=(",", ":")).encode("utf-8")
