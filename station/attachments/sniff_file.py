"""Read one file a person named, and say in Chinese what is wrong with it if anything is."""
from __future__ import annotations

from pathlib import Path

from .kinds import sniff_type

__all__ = ["read_scan"]


def read_scan(path: Path, max_bytes: int, problems: list[str]) -> tuple[bytes, str] | None:
    """The bytes and sniffed type of a JPEG, PNG or PDF; else None with a problem appended."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            problems.append(f"{path}：不是文件")
            return None
        if size > max_bytes:
            problems.append(f"{path}：文件 {size / 1048576:.1f} MB，超过单个附件上限 {max_bytes // 1048576} MB")
            return None
        data = path.read_bytes()
    except FileNotFoundError:
        problems.append(f"{path}：文件不存在，请核对路径")
        return None
    except OSError as exc:
        problems.append(f"{path}：无法读取（{exc.strerror or exc}）")
        return None
    if not data:
        problems.append(f"{path}：文件是空的")
        return None
    media_type = sniff_type(data[:1024])
    if media_type is None:
        problems.append(f"{path}：只接受 JPEG、PNG 或 PDF 文件（按文件内容识别，不看扩展名）")
        return None
    return data, media_type
