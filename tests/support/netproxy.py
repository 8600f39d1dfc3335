"""A loopback TCP proxy that makes a bad link: limited bandwidth, latency, dropped connections.

Reusable by any test or benchmark::

    async with NetProxy(upstream_port, bandwidth_bps=64_000, latency_s=0.15) as proxy:
        ... connect to 127.0.0.1:proxy.port ...

or, from synchronous code, ``ThreadedNetProxy(...)`` which runs the same proxy in a
thread. Each direction is a pipe: a chunk leaves after the previous one has been
"on the wire" for ``len * 8 / bandwidth_bps`` seconds, and arrives ``latency_s`` later
(one-way), so a round trip costs ``2 * latency_s`` plus serialisation.
"""
from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field

__all__ = ["NetProxy", "ThreadedNetProxy", "LinkStats"]

_CHUNK = 1024


@dataclass
class LinkStats:
    bytes_up: int = 0
    """Client → upstream."""
    bytes_down: int = 0
    connections: int = 0
    dropped: int = 0


@dataclass
class NetProxy:
    upstream_port: int
    bandwidth_bps: float | None = None
    """Bits per second in each direction; None for unlimited."""
    latency_s: float = 0.0
    """One-way delay added to every chunk."""
    upstream_host: str = "127.0.0.1"
    stats: LinkStats = field(default_factory=LinkStats)
    port: int = 0
    refuse: bool = False
    """While True, new connections are closed at once (a link that is down)."""
    _server: asyncio.AbstractServer | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)

    async def start(self) -> NetProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self.drop_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def __aenter__(self) -> NetProxy:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def drop_all(self) -> None:
        """Cut every open connection now, as a flaky link does."""
        for writer in list(self._writers):
            writer.transport.abort()
            self.stats.dropped += 1
        self._writers.clear()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if self.refuse:
            client_writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        except OSError:
            client_writer.transport.abort()
            return
        self.stats.connections += 1
        self._writers |= {client_writer, up_writer}
        await asyncio.gather(self._pipe(client_reader, up_writer, up=True),
                             self._pipe(up_reader, client_writer, up=False), return_exceptions=True)
        for writer in (client_writer, up_writer):
            self._writers.discard(writer)
            writer.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, up: bool) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        deliver = asyncio.create_task(self._deliver(queue, writer))
        wire_free_at = 0.0
        try:
            while chunk := await reader.read(_CHUNK):
                now = time.monotonic()
                serialise = len(chunk) * 8 / self.bandwidth_bps if self.bandwidth_bps else 0.0
                wire_free_at = max(now, wire_free_at) + serialise
                await queue.put((wire_free_at + self.latency_s, chunk))
                if self.bandwidth_bps:  # back-pressure: don't read far ahead of the wire
                    await asyncio.sleep(max(0.0, wire_free_at - time.monotonic() - 0.05))
                if up:
                    self.stats.bytes_up += len(chunk)
                else:
                    self.stats.bytes_down += len(chunk)
        finally:
            await queue.put((0.0, b""))
            await deliver

    @staticmethod
    async def _deliver(queue: asyncio.Queue[tuple[float, bytes]], writer: asyncio.StreamWriter) -> None:
        while True:
            due, chunk = await queue.get()
            if not chunk:
                if writer.can_write_eof():
                    try:
                        writer.write_eof()
                    except OSError:
                        pass
                return
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            try:
                writer.write(chunk)
                await writer.drain()
            except (ConnectionError, OSError):
                return


class ThreadedNetProxy:
    """The proxy on its own event loop in a daemon thread, for synchronous callers."""

    def __init__(self, upstream_port: int, **options: object) -> None:
        self.proxy = NetProxy(upstream_port, **options)  # type: ignore[arg-type]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="netproxy")

    def __enter__(self) -> NetProxy:
        self._thread.start()
        return asyncio.run_coroutine_threadsafe(self.proxy.start(), self._loop).result(5)

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.proxy.stop(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def drop_all(self) -> None:
        self._loop.call_soon_threadsafe(self.proxy.drop_all)
