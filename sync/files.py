"""Moving attachment files between a station and the city hall, after the events, resumably.

Uploads go only for files whose ``attached`` event the city hall has already answered
(or, for files carried in on a bundle, once the bundles this station relays went up),
so a case never waits for its files. Each file goes up in signed chunks
(``PUT /api/v1/files/{sha256}`` with ``Content-Range``); after a cut the station asks
``/status`` how much arrived and sends only the rest. Chunks follow the link: sized to
take about ``target_s`` seconds at the measured speed, so little is lost when a link
drops and little time goes to round trips when it holds. Downloads resume with
``Range`` and are checked against the hash before the file is kept. A token bucket keeps
transfers inside the bandwidth share the station set (``station attach-config --rate``).
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from station.attachments import AttachmentSettings, blob_files, list_attachments
from station.attachments import records
from station.attachments.blobs import BlobDamaged, PartialDownload
from station.errors import BadInput, NotAllowed, NotFound, StationError
from station.service import StationService

from .adaptive import AdaptiveChunk
from .client import relay_dir
from .ratelimit import TokenBucket, paced, paced_stream
from .session import RETRYABLE, HubSession, OverHubSession

__all__ = ["FileTransfer", "TransferReport", "AdaptiveChunk", "upload_pending", "fetch_case_files"]


_UNREACHABLE = "附件传输中断，连不上市政务服务中心（{url}）：{problem}。已传的部分保留在市中心，联网后从断点继续"


@dataclass
class TransferReport:
    uploaded: int = 0
    bytes_sent: int = 0
    resumed_from: list[int] = field(default_factory=list)
    """Offsets (bytes already at the city hall) where cut uploads carried on."""
    pending: int = 0
    waiting_for_events: int = 0
    fetched: int = 0
    bytes_received: int = 0
    not_on_hub: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    out_of_time: bool = False
    """The round's time ran out with files still to send; they carry on next round."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _OutOfTime(Exception):
    """This round's time is up; the upload carries on from the same byte next round."""


class _NotYet(Exception):
    """The city hall does not (yet) connect this file to a case this station may see."""


class FileTransfer(OverHubSession):
    def __init__(self, service: StationService, base_url: str | None = None, *,
                 transport: httpx.BaseTransport | None = None, rate: int | None = None, give_up_after: float = 30.0,
                 chunk: AdaptiveChunk | None = None, wall_clock: Callable[[], float] = time.time,
                 backoff_cap_s: float = 8.0, time_budget_s: float | None = None) -> None:
        self.service, self.store = service, service.store
        self._budget_end = float("inf") if time_budget_s is None else time.monotonic() + time_budget_s
        self.files = blob_files(service)
        settings = AttachmentSettings.load(service.home.root)
        self.bucket = TokenBucket(settings.upload_bytes_per_second if rate is None else rate)
        self.chunk = chunk or AdaptiveChunk()
        self.report = TransferReport()
        self.session = HubSession(service, base_url, refusal=_refusal, unreachable=_UNREACHABLE,
                                  transport=transport, give_up_after=give_up_after, wall_clock=wall_clock,
                                  backoff_cap_s=backoff_cap_s, backoff_step_s=0.3)
        self.session.start_round()

    # -- uploads ------------------------------------------------------------------------

    def upload_pending(self) -> TransferReport:
        """Upload every file whose event the city hall has, within the round's time; the rest wait.

        Each round moves at least one chunk, so even a tiny time budget makes progress.
        """
        self.session.start_round()
        relayed = self._carried_bundles_relayed()
        try:
            for number, row in enumerate(records.pending_uploads(self.store, carried_relayed=relayed)):
                if number and self._out_of_time():
                    raise _OutOfTime()
                try:
                    self.upload_one(row["sha256"], int(row["size"]))
                except _NotYet:
                    records.mark_upload_error(self.store, row["sha256"], "市中心尚未收到该附件所属案件的记录")
        except _OutOfTime:
            self.report.out_of_time = True
        finally:  # counted even when the link drops mid-way, for whoever reports it
            self.count_pending()
        return self.report

    def count_pending(self) -> TransferReport:
        """How many files are due and how many wait for their events; nothing is sent."""
        relayed = self._carried_bundles_relayed()
        self.report.pending = len(records.pending_uploads(self.store, carried_relayed=relayed))
        self.report.waiting_for_events = records.waiting_for_events(self.store, carried_relayed=relayed)
        return self.report

    def _out_of_time(self) -> bool:
        return time.monotonic() > self._budget_end

    def _carried_bundles_relayed(self) -> bool:
        """Files carried in on a stick go up after the bundle with their events (sync relays it first)."""
        folder = relay_dir(self.service)
        return not (folder.is_dir() and any(folder.glob("*.bundle")))

    def upload_one(self, sha256: str, size: int) -> None:
        if not self.files.has(sha256):
            records.mark_upload_error(self.store, sha256, "本地文件缺失")
            self.report.errors.append(f"{sha256[:12]}…：本地文件缺失，无法上传")
            return
        offset: list[int | None] = [None]

        def step() -> bool:
            if offset[0] is None:
                status = self._json("GET", f"/api/v1/files/{sha256}/status")
                if status["complete"]:
                    return True
                offset[0] = int(status["received"])
                if offset[0]:
                    self.report.resumed_from.append(offset[0])
            start = offset[0] or 0  # set just above when it was unknown
            try:
                answer = self._put_chunk(sha256, size, start)
            except RETRYABLE:
                offset[0] = None  # ask the city hall what it kept before sending again
                raise
            offset[0] = int(answer["received"])
            return bool(answer.get("complete"))

        while not self.session.retrying(step):
            if self._out_of_time():
                raise _OutOfTime()
        records.mark_uploaded(self.store, sha256)
        self.report.uploaded += 1

    def _put_chunk(self, sha256: str, size: int, start: int) -> dict[str, Any]:
        try:
            data = self.files.read_range(sha256, start, min(self._chunk_bytes(), size - start))
        except BlobDamaged as exc:
            raise BadInput(f"附件 {sha256[:12]}… 在本站已损坏，无法上传：请重新扫描附上") from exc
        headers = {"Content-Range": f"bytes {start}-{start + len(data) - 1}/{size}",
                   "Content-Type": "application/octet-stream", "Content-Length": str(len(data))}
        began = time.monotonic()
        try:
            response = self.session.request("PUT", f"/api/v1/files/{sha256}", data, headers, pace=self._paced)
        except httpx.TimeoutException:
            self.chunk.shrink()
            raise
        if response.status_code == 409:
            return {"received": response.json()["received"], "complete": False}
        if response.status_code == 422:
            raise BadInput(f"附件 {sha256[:12]}… 上传后校验不符：本地文件可能已损坏，请重新扫描")
        self.session.raise_for_status(response)
        self.chunk.after_chunk(len(data), time.monotonic() - began)
        return response.json()

    def _chunk_bytes(self) -> int:
        """The link's chunk size, cut down when less of the round is left than a chunk takes to send."""
        left = self._budget_end - time.monotonic()
        if left >= self.chunk.target_s:
            return self.chunk.size
        return max(self.chunk.smallest, int(self.chunk.size * max(left, 0.0) / self.chunk.target_s))

    # -- downloads ----------------------------------------------------------------------

    def fetch_case(self, case_no: str) -> TransferReport:
        """Download every file of the case this station lacks; each checked against its hash."""
        self.session.start_round()
        for row in list_attachments(self.service, case_no, readable=False):
            if not row["here"] and row["sha256"]:
                self.fetch_one(row["sha256"], str(row["type"]))
        return self.report

    def fetch_one(self, sha256: str, media_type: str) -> bool:
        try:
            size = self.session.retrying(lambda: self._download_into(sha256))
        except _NotYet:
            self.report.not_on_hub.append(sha256)
            return False
        if not self.files.adopt(self.files.partial(sha256)):
            self.report.errors.append(f"{sha256[:12]}…：下载的文件校验不符，已丢弃，下次重新下载")
            return False
        with self.store.write():
            records.add_blob(self.store, sha256, size, media_type, "wire", "fetched")
        self.report.fetched += 1
        return True

    def _download_into(self, sha256: str) -> int:
        """Download (the rest of) the file into its sealed partial file; returns its plain length."""
        partial = self.files.partial(sha256)
        start = partial.length
        headers = {"Range": f"bytes={start}-"} if start else {}
        with self.session.stream("GET", f"/api/v1/files/{sha256}", headers) as response:
            if response.status_code == 404:
                raise _NotYet()
            self.session.raise_for_status(response)
            if response.status_code != 206:
                partial.restart()
                start = 0
            return start + self._append(partial, response.iter_bytes())

    def _append(self, partial: PartialDownload, blocks: Iterator[bytes]) -> int:
        received = 0
        with partial.path.open("ab") as out:
            writer = partial.writer(out)
            try:
                for block in paced_stream(blocks, self.bucket):
                    writer.write(block)
                    received += len(block)
                    self.report.bytes_received += len(block)
            finally:  # what arrived before a cut is kept, sealed, and the download resumes after it
                writer.flush_record()
                out.flush()
                os.fsync(out.fileno())
        return received

    # -- requests through the session ------------------------------------------------------

    def _paced(self, body: bytes) -> Iterator[bytes]:
        return paced(body, self.bucket, self._count_sent)

    def _count_sent(self, amount: int) -> None:
        self.report.bytes_sent += amount

    def _json(self, method: str, path: str) -> dict[str, Any]:
        response = self.session.request(method, path)
        if response.status_code == 404:
            raise _NotYet()
        self.session.raise_for_status(response)
        return response.json()


def _refusal(status: int, reason: str) -> StationError:
    if status in (401, 403):
        return NotAllowed(f"市政务服务中心拒绝了本站的附件请求（HTTP {status}）：{reason}")
    if status == 404:
        return NotFound(f"市政务服务中心没有该附件：{reason}")
    return BadInput(f"市政务服务中心无法处理本站的附件（HTTP {status}）：{reason}")


# -- what commands and the background loop call ----------------------------------------------

def upload_pending(service: StationService, rate: int | None = None, **options: Any) -> dict[str, Any]:
    with FileTransfer(service, rate=rate, **options) as transfer:
        return transfer.upload_pending().to_dict()


def fetch_case_files(service: StationService, case_no: str, **options: Any) -> dict[str, Any]:
    with FileTransfer(service, **options) as transfer:
        return transfer.fetch_case(case_no).to_dict()
