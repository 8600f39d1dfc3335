"""One app per station home: a second copy is refused with a message, not run beside the first.

Two copies on one home each kept their own view of the store and disagreed on screen (a case
filed in one did not show in the other's Today board until it was refreshed). The lock is an
OS file lock on ``tui.lock`` in the home: it is released when the process ends, however it
ends (a power cut or a kill leaves no stale lock behind).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from station.errors import NotAllowed

__all__ = ["AppLock", "AlreadyRunning"]


class AlreadyRunning(NotAllowed):
    """Another copy of the app has this station home open (exit 4)."""


class AppLock:
    def __init__(self, home_root: Path) -> None:
        self.path = home_root / "tui.lock"
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        handle = self.path.open("a+", encoding="utf-8")
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise AlreadyRunning(f"本站的终端界面已经在运行（进程 {holder}）：请切换到已打开的窗口；"
                                 "同时开两个会互相看不到对方刚做的操作")
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the file releases the OS lock
            self._handle = None

    def __enter__(self) -> AppLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _try_lock(handle: IO[str]) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            return True
        except OSError:
            return False
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
