"""Attachment files over HTTP: resumable signed uploads, their status, and downloads (cityhall/files.py)."""
from __future__ import annotations

import re
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from ..errors import HubError
from ..files import MAX_CHUNK_BYTES, MAX_FILE_BYTES, SHA256_NAME, HubFiles
from .deps import Files, Signed, SignedBy

__all__ = ["router"]

_OFFSET = r"([0-9]{1,18})"
"""A byte offset: 18 digits pass any file (and Python refuses to read an integer of over 4300)."""
_CONTENT_RANGE = re.compile(rf"bytes {_OFFSET}-{_OFFSET}/{_OFFSET}")
_RANGE = re.compile(r"bytes=([0-9]+)-")

router = APIRouter(tags=["files"])


def _check_name(request: Request) -> None:
    """A file is named by its hash: anything else is refused before the signature is looked at."""
    if not SHA256_NAME.fullmatch(str(request.path_params.get("sha256", ""))):
        raise HubError(400, "malformed_name", "a file is named by its SHA-256 in lower-case hex")


SignedAsk = Annotated[Signed, Depends(SignedBy(first=_check_name))]
SignedChunk = Annotated[Signed, Depends(SignedBy(MAX_CHUNK_BYTES, f"chunks of at most {MAX_CHUNK_BYTES} bytes",
                                                 first=_check_name))]


def _may_upload(files: HubFiles, station: str, sha256: str) -> None:
    if not files.may_upload(station, sha256):
        raise _no_case()


def _no_case() -> HubError:
    return HubError(404, "not_found", "no case this station may see holds this file (yet)")


@router.get("/api/v1/files/{sha256}/status", summary="How many bytes of a file the hub holds")
def file_status(sha256: str, signed: SignedAsk, files: Files) -> Response:
    _may_upload(files, signed.station, sha256)
    return JSONResponse(files.status(sha256, signed.station) | {"hub_time": time.time()})


@router.put("/api/v1/files/{sha256}", summary="Append one signed chunk (Content-Range) of a file")
async def put_chunk(request: Request, sha256: str, signed: SignedChunk, files: Files) -> Response:
    await run_in_threadpool(_may_upload, files, signed.station, sha256)
    start, total = _content_range(request.headers.get("content-range", ""), len(signed.body))
    answer = await run_in_threadpool(files.receive, signed.station, sha256, start, total, signed.body, time.time())
    return JSONResponse(answer | {"hub_time": time.time()})


@router.get("/api/v1/files/{sha256}", summary="Download a finished file (Range: bytes=N- resumes)")
def get_file(request: Request, sha256: str, signed: SignedAsk, files: Files) -> Response:
    if not files.may_see(signed.station, sha256):
        raise _no_case()
    size = files.stored_size(sha256)
    if size is None:
        raise HubError(404, "not_uploaded", "the file has not reached the city hall yet")
    match = _RANGE.fullmatch(request.headers.get("range", ""))
    start = _range_start(match.group(1), size) if match else 0
    headers = {"Content-Length": str(size - start), "Accept-Ranges": "bytes"}
    if match:
        headers["Content-Range"] = f"bytes {start}-{size - 1}/{size}"
    return StreamingResponse(files.storage.read(sha256, start), status_code=206 if match else 200,
                             media_type="application/octet-stream", headers=headers)


def _range_start(digits: str, size: int) -> int:
    """Where a ``Range: bytes=N-`` starts: a start past the end (however many digits) is the end."""
    return size if len(digits) > 18 else min(int(digits), size)


def _content_range(header: str, length: int) -> tuple[int, int]:
    match = _CONTENT_RANGE.fullmatch(header.strip())
    if not match:
        raise HubError(400, "malformed_range", "Content-Range must read 'bytes START-END/TOTAL'")
    start, end, total = (int(g) for g in match.groups())
    if end - start + 1 != length or length == 0:
        raise HubError(400, "malformed_range", f"Content-Range covers {end - start + 1} bytes, the body has {length}")
    if total > MAX_FILE_BYTES:
        raise HubError(413, "too_large", f"files of at most {MAX_FILE_BYTES} bytes")
    return start, total
