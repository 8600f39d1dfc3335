"""A city hall in its own process (``cityhall serve``), for tests and benchmarks that kill it."""
from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

__all__ = ["HubProcess", "free_port", "enroll_all"]

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class HubProcess:
    """``cityhall serve --db URL --config FILE`` on a loopback port; start, kill -9, restart."""

    def __init__(self, db_url: str, topology_file: Path, port: int | None = None, log: Path | None = None,
                 workers: int = 1) -> None:
        self.db_url, self.topology_file = db_url, topology_file
        self.port = port or free_port()
        self.log = log
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None
        self.workdir = Path(tempfile.mkdtemp(prefix="hub-"))
        """The hub's working folder: a database server URL keeps its files in ./cityhall-files."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        command = [str(VENV_BIN / "cityhall"), "serve", "--db", self.db_url, "--config", str(self.topology_file),
                   "--port", str(self.port)]
        return command + (["--workers", str(self.workers)] if self.workers > 1 else [])

    def start(self, wait_s: float = 30.0) -> HubProcess:
        output = self.log.open("ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(self.command(), stdout=output, stderr=output, start_new_session=True,
                                        cwd=self.workdir, env=os.environ | {"PYTHONUNBUFFERED": "1"})
        self.wait_healthy(wait_s)
        return self

    def wait_healthy(self, wait_s: float) -> None:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"cityhall exited with {self.process.returncode}: {self.command()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"cityhall not healthy on {self.url} within {wait_s} s")

    def kill(self) -> None:
        """SIGKILL the whole process group (uvicorn's workers too): a power cut for the hub."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def __enter__(self) -> HubProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def enroll_all(db_url: str, keys: dict[str, str]) -> None:
    """Enrol many stations in one go (what ``cityhall enroll`` does, without a process per station)."""
    from cityhall.db import make_engine, migrate
    from cityhall.store import enroll_station

    engine = make_engine(db_url)
    migrate(engine)
    for code, key in keys.items():
        enroll_station(engine, code, key)
    engine.dispose()


def kill_and_restart(hub: HubProcess, rng: random.Random, killed_at: list[float], kills: int = 1,
                     wait_s: tuple[float, float] = (0.1, 0.6), down_s: tuple[float, float] = (0.1, 0.5)
                     ) -> threading.Thread:
    """In the background: ``kills`` times, wait, SIGKILL the hub, stay down a moment, restart it."""
    def run() -> None:
        for _ in range(kills):
            time.sleep(rng.uniform(*wait_s))
            hub.kill()
            killed_at.append(time.monotonic())
            time.sleep(rng.uniform(*down_s))
            hub.start()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread
