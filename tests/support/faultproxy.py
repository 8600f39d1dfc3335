"""A loopback TCP proxy that drops, delays and truncates traffic, for fault runs.

Each new connection draws its fate: refused at once (``drop``), or its answer from the
server cut off after a few bytes (``truncate``); every chunk is held ``delay_s`` first.
"""
from __future__ import annotations

import asyncio
import random
import threading
from dataclasses import dataclass

__all__ = ["FaultProxy", "Faults"]


@dataclass
class Faults:
    drop: float = 0.0
    truncate: float = 0.0
    delay_s: float = 0.0


class FaultProxy:
    def __init__(self, upstream_port: int, faults: Faults, seed: int = 7) -> None:
        self.upstream_port, self.faults = upstream_port, faults
        self.rng = random.Random(seed)
        self.port = 0
        self.connections = {"dropped": 0, "truncated": 0, "passed": 0}
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()
        pending = asyncio.all_tasks(self._loop)
        for task in pending:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        fate = self.rng.random()
        if fate < self.faults.drop:
            self.connections["dropped"] += 1
            writer.close()
            return
        cut = self.rng.randint(1, 200) if fate < self.faults.drop + self.faults.truncate else None
        self.connections["truncated" if cut else "passed"] += 1
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, up_writer, None), self._pipe(up_reader, writer, cut),
                             return_exceptions=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, cut: int | None) -> None:
        sent = 0
        try:
            while data := await reader.read(65536):
                if self.faults.delay_s:
                    await asyncio.sleep(self.faults.delay_s)
                if cut is not None and sent + len(data) >= cut:
                    writer.write(data[: cut - sent])
                    await writer.drain()
                    break
                writer.write(data)
                sent += len(data)
                await writer.drain()
        finally:
            writer.close()
