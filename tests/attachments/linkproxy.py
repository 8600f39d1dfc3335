"""A link between a station and the city hall that tests can make slow, or cut for files only."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

__all__ = ["LinkProxy", "link_proxy"]

_HOP_BY_HOP = {"host", "content-length", "connection", "transfer-encoding", "content-encoding", "keep-alive"}


@dataclass
class LinkProxy:
    """Forwards the sync API to ``target``, each request held back ``delay_s``; answers the file API
    503 while ``files_down`` (a city hall whose file store is down). Records what it saw, and when."""

    target: str
    delay_s: float = 0.0
    files_down: bool = True
    url: str = ""
    seen: list[tuple[float, str]] = field(default_factory=list)
    """(``time.monotonic()`` when answered, path) of every request."""

    def file_requests(self) -> list[str]:
        return [path for _, path in self.seen if path.startswith("/api/v1/files")]

    def last_answer_at(self) -> float:
        return max(at for at, _ in self.seen)

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/api/v1/files") and self.files_down:
            return 503, {"Content-Type": "application/json"}, b'{"error": "file store down"}'
        time.sleep(self.delay_s)
        forwarded = {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP}
        response = httpx.request(method, self.target + path, content=body, headers=forwarded, timeout=30)
        kept = {k: v for k, v in response.headers.items() if k.lower() not in _HOP_BY_HOP}
        return response.status_code, kept, response.content


def _handler(proxy: LinkProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, headers, content = proxy.answer(self.command, self.path, dict(self.headers), body)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
            proxy.seen.append((time.monotonic(), self.path))

        do_GET = do_POST = do_PUT = _relay

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def link_proxy(target: str, delay_s: float = 0.0, files_down: bool = True) -> Iterator[LinkProxy]:
    proxy = LinkProxy(target, delay_s, files_down)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy))
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
