"""Where the city hall keeps attachment files: its own disk (default) or S3-compatible storage.

Uploads arrive in chunks and grow in a staging folder on the hub's disk; only when the
whole file is there and its SHA-256 matches its name does it move into the store and
become visible. So the object store never sees a half file or a wrong one.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

__all__ = ["FileStorage", "LocalStorage", "S3Storage", "S3Config", "storage_for"]

BLOCK = 256 * 1024


class FileStorage(Protocol):
    def has(self, sha256: str) -> bool: ...
    def size(self, sha256: str) -> int | None: ...
    def commit(self, sha256: str, staged: Path) -> None: ...
    def read(self, sha256: str, start: int = 0) -> Iterator[bytes]: ...


def _key(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:]}"


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / "objects" / _key(sha256)

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def size(self, sha256: str) -> int | None:
        path = self.path(sha256)
        return path.stat().st_size if path.is_file() else None

    def commit(self, sha256: str, staged: Path) -> None:
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)

    def read(self, sha256: str, start: int = 0) -> Iterator[bytes]:
        with self.path(sha256).open("rb") as handle:
            handle.seek(start)
            while block := handle.read(BLOCK):
                yield block


@dataclass(frozen=True)
class S3Config:
    endpoint_url: str
    """``http(s)://host:port`` of the S3-compatible service (MinIO, Ceph, a cloud's OSS)."""
    bucket: str
    prefix: str = "attachments/"
    region: str = "us-east-1"


class S3Storage:
    """Objects named ``{prefix}ab/cdef…``; credentials come from the usual AWS_* variables."""

    def __init__(self, config: S3Config, client: Any = None) -> None:
        import boto3  # only a hub configured for S3 needs the SDK

        self.config = config
        self.client = client or boto3.client("s3", endpoint_url=config.endpoint_url, region_name=config.region)

    def _object(self, sha256: str) -> str:
        return self.config.prefix + _key(sha256)

    def size(self, sha256: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.config.bucket, Key=self._object(sha256))
        except ClientError:
            return None
        return int(head["ContentLength"])

    def has(self, sha256: str) -> bool:
        return self.size(sha256) is not None

    def commit(self, sha256: str, staged: Path) -> None:
        self.client.upload_file(str(staged), self.config.bucket, self._object(sha256))
        staged.unlink(missing_ok=True)

    def read(self, sha256: str, start: int = 0) -> Iterator[bytes]:
        extra = {"Range": f"bytes={start}-"} if start else {}
        body = self.client.get_object(Bucket=self.config.bucket, Key=self._object(sha256), **extra)["Body"]
        try:
            yield from body.iter_chunks(BLOCK)
        finally:
            body.close()


def storage_for(s3: S3Config | None, files_dir: Path | None, default_root: Path) -> FileStorage:
    """S3 when configured (``CITYHALL_S3_ENDPOINT`` and ``CITYHALL_S3_BUCKET``), else the local disk."""
    return S3Storage(s3) if s3 is not None else LocalStorage(files_dir or default_root)
