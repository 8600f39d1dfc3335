"""A parsed value kept on disk, read back only while every byte it was parsed from is unchanged.

Parsing the catalogue's TOML on every start of a ``station`` command costs more than the
rest of a short command. The parsed value is pickled into a cache file with the digest
(BLAKE2b) of everything it was made from: the sources' names and bytes, the source of the
code that parses them, the Python version and this format's version. A start reads the
sources, digests them and takes the cached value only when the digest matches, so an
edited file, a new or removed one, or new parsing code all parse afresh; the value is
always the one those very bytes give (it is built from the bytes that were digested).

A cache file that is missing, damaged or of another format is ignored and written again;
one that cannot be written (a read-only home, a full disk) only costs the parse. The file
is replaced atomically (a temporary file beside it, then a rename). It lives in a folder
of the station's home, which is as private as the home's key and store: whoever could
change it could change those.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["FORMAT", "cached", "digest_of", "keep", "read_kept", "read_toml"]

FORMAT = b"parsed-cache v1\n"
"""The first bytes of every cache file; a new layout changes it."""

_DIGEST_SIZE = 32
_T = TypeVar("_T")


def digest_of(parts: Iterable[bytes]) -> bytes:
    """The digest of ``parts`` in order, each length-prefixed (no two lists of parts share one)."""
    digest = hashlib.blake2b(FORMAT + sys.version.encode(), digest_size=_DIGEST_SIZE)
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


def cached(cache_file: Path | None, parts: Iterable[bytes], build: Callable[[], _T],
           accept: Callable[[object], bool]) -> _T:
    """The value ``build()`` gives, from ``cache_file`` when it was made from exactly ``parts``.

    ``accept`` checks the type of a value read back (anything else counts as damage).
    ``build`` must make its value from the bytes given in ``parts``; its exceptions pass
    through and nothing is written.
    """
    if cache_file is None:
        return build()
    parts = list(parts)
    kept = read_kept(cache_file, parts)
    if kept is not None and accept(kept):
        return kept  # type: ignore[return-value]  # accept() checked it
    value = build()
    keep(cache_file, parts, value)
    return value


def read_kept(cache_file: Path, parts: Iterable[bytes]) -> object | None:
    """What :func:`keep` wrote to ``cache_file`` for exactly ``parts``; ``None`` when missing,
    damaged, of another format or made from other parts. The caller checks its type."""
    return _read(cache_file, digest_of(parts))


def keep(cache_file: Path, parts: Iterable[bytes], value: object) -> None:
    """Write ``value`` to ``cache_file`` as made from ``parts``; a failure only loses the cache."""
    _write(cache_file, digest_of(parts), value)


def read_toml(path: Path, cache_file: Path | None) -> dict[str, Any]:
    """The TOML file parsed, kept in ``cache_file`` while its bytes stay the same.

    Raises ``OSError`` when it cannot be read and ``ValueError`` (``tomllib.TOMLDecodeError``,
    ``UnicodeDecodeError``) when it is no TOML text.
    """
    data = path.read_bytes()

    def parse() -> dict[str, Any]:
        import tomllib  # only to parse: a start that finds the file parsed already never loads it

        return tomllib.loads(data.decode("utf-8"))

    return cached(cache_file, [b"toml", data], parse, lambda value: isinstance(value, dict))


def _read(cache_file: Path, digest: bytes) -> object | None:
    try:
        data = cache_file.read_bytes()
    except OSError:
        return None
    header = FORMAT + digest
    if not data.startswith(header):
        return None
    try:
        value: object = pickle.loads(data[len(header):])
    except Exception:  # noqa: BLE001 - a damaged file of any kind is only a cache miss
        return None
    return value


def _write(cache_file: Path, digest: bytes, value: object) -> None:
    temporary = cache_file.with_name(f".{cache_file.name}.{os.getpid()}.tmp")
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(FORMAT + digest + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, cache_file)
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):  # only the cache is lost
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
