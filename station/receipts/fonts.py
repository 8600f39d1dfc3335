"""Finding a font that draws Chinese, for image receipts.

Order: the file named by ``STATION_CJK_FONT``; then the first of :data:`FONT_FILES`
(best first) found under :data:`FONT_DIRS`, the standard font folders of Linux, Windows
and macOS. No font, no receipt image: :class:`NoCJKFont` says what to install.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["FONT_DIRS", "FONT_ENV", "FONT_FILES", "INSTALL_HINT", "NoCJKFont", "find_cjk_font"]

FONT_ENV = "STATION_CJK_FONT"
"""Environment variable naming a .ttf/.otf/.ttc file to use instead of searching."""

FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "$WINDIR/Fonts",
    "~/AppData/Local/Microsoft/Windows/Fonts",
    "/System/Library/Fonts",
    "/Library/Fonts",
    "~/Library/Fonts",
)
"""Folders searched (recursively); ``~`` and ``$VAR`` are expanded at search time."""

FONT_FILES: tuple[str, ...] = (
    "NotoSansCJK-Regular.ttc",  # Debian/Ubuntu fonts-noto-cjk
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "NotoSansSC-Regular.ttf",
    "SourceHanSansSC-Regular.otf",
    "SourceHanSans-Regular.ttc",
    "wqy-microhei.ttc",  # fonts-wqy-microhei
    "wqy-zenhei.ttc",
    "msyh.ttc",  # Windows: Microsoft YaHei
    "msyh.ttf",
    "simhei.ttf",
    "simsun.ttc",
    "PingFang.ttc",  # macOS
    "Hiragino Sans GB.ttc",
    "STHeiti Medium.ttc",
    "DroidSansFallbackFull.ttf",  # fonts-droid-fallback
    "DroidSansFallback.ttf",
    "NotoSerifCJK-Regular.ttc",
)
"""Font files that cover Simplified Chinese, best first (matched case-insensitively)."""

INSTALL_HINT = (
    "install a Chinese font (Debian/Ubuntu: apt install fonts-noto-cjk; "
    "Windows normally has msyh.ttc) or set STATION_CJK_FONT to a .ttf/.otf/.ttc file"
)


class NoCJKFont(RuntimeError):
    """No font that can draw Chinese was found; the message says what to install."""

    message_zh = "找不到中文字体，无法生成回执图片：请安装 fonts-noto-cjk 或设置 STATION_CJK_FONT。"


def find_cjk_font() -> Path:
    """The font file to draw Chinese with; :class:`NoCJKFont` if there is none."""
    chosen = os.environ.get(FONT_ENV, "").strip()
    if chosen:
        return _from_env(Path(chosen))
    dirs = tuple(Path(os.path.expandvars(d)).expanduser() for d in FONT_DIRS)
    found = _FOUND.get(dirs) or _search(dirs, FONT_FILES)
    if found is None:
        searched = ", ".join(str(d) for d in dirs if d.is_dir()) or "no font folder"
        raise NoCJKFont(f"no CJK font found (searched {searched}): {INSTALL_HINT}")
    _FOUND[dirs] = found
    return found


def _from_env(path: Path) -> Path:
    if not path.is_file():
        raise NoCJKFont(f"{FONT_ENV}={path} is not a file: {INSTALL_HINT}")
    return path


_FOUND: dict[tuple[Path, ...], Path] = {}
"""Fonts found per search path; a miss is not remembered, so installing a font helps
without a restart."""


def _search(dirs: tuple[Path, ...], names: tuple[str, ...]) -> Path | None:
    rank = {name.lower(): i for i, name in enumerate(names)}
    found = sorted((rank[path.name.lower()], str(path)) for path in _font_files(dirs)
                   if path.name.lower() in rank)
    return Path(found[0][1]) if found else None


def _font_files(dirs: Iterable[Path]) -> Iterable[Path]:
    for directory in dirs:
        if directory.is_dir():
            for root, _subdirs, files in os.walk(directory):
                yield from (Path(root, name) for name in files)
