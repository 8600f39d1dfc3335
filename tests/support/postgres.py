"""A throw-away PostgreSQL server for tests and benchmarks, started from the Debian binaries.

``initdb`` refuses to run as root, so under root the cluster belongs to the ``postgres``
user (created by Debian's postgresql package) and commands run through ``runuser``.
The server listens on loopback only, with trust authentication, in a temporary folder.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["postgres_server", "PostgresUnavailable"]


class PostgresUnavailable(RuntimeError):
    pass


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise PostgresUnavailable("PostgreSQL server binaries not found: run scripts/setup.sh test")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server; yields its ``postgresql://`` URL; stops it and removes its files."""
    bin_dir, port = _bin_dir(), _free_port()
    root = Path(tempfile.mkdtemp(prefix="pgtest-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    run = lambda *args: subprocess.run(_as_owner([str(bin_dir / args[0]), *args[1:]]),  # noqa: E731
                                       check=True, capture_output=True, text=True, timeout=120)
    try:
        run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C")
        run("pg_ctl", "-D", str(data), "-l", str(root / "log"), "-w", "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200", "start")
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                           capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)
