"""Writing an output file (a receipt PNG, a PDF, a report) so that a failure leaves no half of it.

The bytes go to a temporary file in the same folder, are flushed to the disk, and only
then take the target's name (an atomic rename on the same file system). A full disk or a
cut power leaves the old file, or none: never a 0-byte or partial receipt that looks
printed. A device or pipe (a printer at ``/dev/usb/lp0``) cannot be renamed onto, so it
is written directly.
"""
from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["write_atomically", "replacing", "DISK_ERRNOS", "disk_problem", "disk_failure"]

DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EROFS, errno.EDQUOT})
"""Refusals of the disk itself: full, a file over its size limit, mounted read-only, over quota."""
_SQLITE_DISK_WORDS = ("database or disk is full", "attempt to write a readonly database", "disk I/O error")


def write_atomically(path: Path, data: bytes) -> Path:
    """``data`` under ``path``, all of it or (on any failure) nothing new."""
    target = Path(path)
    if _is_device(target):
        with target.open("wb") as device:
            device.write(data)
        return target
    with replacing(target) as temporary:
        temporary.write_bytes(data)
    return target


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; it becomes ``path`` when the block ends without error."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    handle, name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".part")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        _flush_to_disk(temporary)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _flush_to_disk(path: Path) -> None:
    with path.open("rb+") as written:
        os.fsync(written.fileno())


def _is_device(path: Path) -> bool:
    return path.exists() and not path.is_file() and not path.is_dir()


def disk_failure(exc: BaseException | None) -> BaseException | None:
    """The disk refusal behind ``exc`` (itself, or what caused it), if that is what went wrong."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:
            return exc
        if any(words in str(exc) for words in _SQLITE_DISK_WORDS):  # sqlite3.OperationalError says it in words
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def disk_problem(exc: BaseException) -> str:
    """What to tell the operator, in Chinese, for a disk refusal."""
    text = str(exc)
    if (isinstance(exc, OSError) and exc.errno == errno.EROFS) or "readonly" in text:
        what = "磁盘是只读的，写不进去"
    elif isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        what = "文件超过了系统允许的大小"
    else:
        what = "磁盘空间已满"
    return f"{what}，本次操作没有保存；之前保存的记录都完好。请清理磁盘空间（或检查磁盘）后重试"
