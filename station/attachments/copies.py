"""Readable copies of sealed attachment files, for a person to open (``station attachments``).

The files are sealed at rest in the home; a copy a viewer can open is written on demand to
a private folder of this user OUTSIDE the home: the system's temporary folder, a ``0700``
folder of this user's (``station-files-USER``), one sub-folder per station home. Each
listing replaces the copies the last one wrote there, so readable copies do not pile up;
the system empties its temporary folder in its own time (at restart on most PCs).
"""
from __future__ import annotations

import getpass
import hashlib
import os
import stat
import tempfile
from pathlib import Path

from station.errors import NotAllowed

from .blobs import BlobDamaged, BlobFiles
from .kinds import EXTENSIONS, sniff_type

__all__ = ["ReadableCopies", "copies_root"]


def copies_root() -> Path:
    """This user's private folder in the system's temporary folder (made ``0700``; refused when not ours)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    folder = Path(tempfile.gettempdir()) / f"station-files-{''.join(c for c in user if c.isalnum()) or 'user'}"
    _private_folder(folder)
    return folder


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        raise NotAllowed(f"临时文件夹 {folder} 不属于当前用户，不能在那里放附件的可读副本：请删除它后重试")
    if hasattr(os, "getuid") and stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(folder, 0o700)


class ReadableCopies:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._written: set[str] = set()

    @classmethod
    def for_home(cls, home: Path) -> ReadableCopies:
        name = hashlib.sha256(str(home.resolve()).encode("utf-8")).hexdigest()[:16]
        folder = copies_root() / name
        _private_folder(folder)
        return cls(folder)

    def write(self, files: BlobFiles, sha256: str, media_type: str) -> str | None:
        """A readable copy of the file, replaced if it was there; None when the sealed file does not open."""
        try:
            data = files.read(sha256)
        except BlobDamaged:
            return None
        extension = EXTENSIONS.get(media_type) or EXTENSIONS.get(sniff_type(data[:1024]) or "", "")
        target = self.folder / f"{sha256}{extension}"
        temporary = self.folder / f".{target.name}.{os.getpid()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
        self._written.add(target.name)
        return str(target)

    def drop_others(self) -> None:
        """Remove the copies an earlier listing left here."""
        for path in self.folder.iterdir():
            if path.name not in self._written and path.is_file() and not path.name.startswith("."):
                path.unlink(missing_ok=True)
