"""City hall processes and station homes for tests and benchmarks, on loopback."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from sqlalchemy import Connection

from station.home import StationHome
from station.service import IntakeRequest, Operator, StationService, init_station

__all__ = ["free_port", "insert_case_row", "topology_for", "HubProcess", "in_process_hub", "make_station", "file_case",
           "run_station", "json_of", "ITEM", "INTAKE_FIELDS", "VENV_BIN", "ROOT"]

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
ITEM = "420115GF0004"
INTAKE_FIELDS = {"age_band": "90-99周岁", "living_status": "独居", "village_group": "光星村三组",
                 "bank_name": "湖北农商银行山坡支行", "bank_account": "6228480402564890018"}
APPLICANTS = [("11010519491231002X", "曾𠮷"), ("420115193901011236", "欧阳娜娜"), ("420115193901011236", "张三丰")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def insert_case_row(conn: Connection, case_no: str, origin: str, viewers: Iterable[str], *, token_hash: str = "",
                    status: str = "received", last_hlc: str = "") -> None:
    """A hub ``cases`` row written straight in, for a test that sets a case up without an ingest."""
    from sqlalchemy import insert

    from cityhall import db

    conn.execute(insert(db.cases).values(
        case_no=case_no, origin=origin, token_hash=token_hash, status=status, last_hlc=last_hlc,
        viewers=db.viewers_text(viewers)))


def topology_for(folder: Path, port: int) -> Path:
    """The demo stations.toml with the city hall at ``port``."""
    text = (ROOT / "stations.toml").read_text(encoding="utf-8").replace("127.0.0.1:8700", f"127.0.0.1:{port}")
    path = folder / "stations.toml"
    path.write_text(text, encoding="utf-8")
    return path


class HubProcess:
    """``cityhall serve`` as a real process; SIGKILL-able and restartable on the same database."""

    def __init__(self, folder: Path, port: int, config: Path, db_url: str | None = None) -> None:
        self.folder, self.port, self.config = folder, port, config
        self.db_url = db_url or f"sqlite:///{folder / 'cityhall.db'}"
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def enroll(self, code: str, public_key: str) -> None:
        subprocess.run([str(VENV_BIN / "cityhall"), "enroll", code, public_key, "--db", self.db_url],
                       check=True, capture_output=True)

    def start(self, wait: bool = True) -> HubProcess:
        log = (self.folder / "cityhall.log").open("ab")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "cityhall"), "serve", "--db", self.db_url, "--port", str(self.port),
             "--config", str(self.config)], stdout=log, stderr=log)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError(f"city hall did not come up: {(self.folder / 'cityhall.log').read_text()[-2000:]}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def in_process_hub(folder: Path, config: Path, port: int, **settings: object) -> Iterator[object]:
    """The hub in a thread of this process (quicker to start than a process); yields the app."""
    import uvicorn

    from cityhall.app import HubSettings, create_app
    app = create_app(HubSettings(db_url=f"sqlite:///{folder / 'hub.db'}", topology_file=config, **settings))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield app
    finally:
        server.should_exit = True
        thread.join(10)


def make_station(root: Path, code: str, config: Path, role: str = "agent",
                 agent: str = "A01") -> tuple[StationService, Operator, str]:
    """A fresh station home with one operator; returns the service, the operator and the public key."""
    home = StationHome(root / code)
    public_key = init_station(home, code, config)["public_key"]
    service = StationService(home)
    service.add_agent(agent, "王小丽" if role == "agent" else "李审批", role, "1234")
    return service, service.sign_in(agent, "1234"), public_key


def file_case(service: StationService, operator: Operator, index: int = 0, forward: bool = True) -> str:
    applicant_id, name = APPLICANTS[index % len(APPLICANTS)]
    result = service.intake(operator, IntakeRequest(
        ITEM, applicant_id, name, fields=dict(INTAKE_FIELDS),
        received=["id_and_hukou", "application_form"], deferred=["bank_card_copy"]))
    if forward:
        service.act(operator, result["case_no"], "forwarded")
    return result["case_no"]


def run_station(home: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"STATION_PIN": "1234"}
    return subprocess.run([str(VENV_BIN / "station"), "--home", str(home), *args], capture_output=True,
                          text=True, env=env, timeout=timeout)


def json_of(result: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(result.stdout)


def exchange_keys(url: str, *services: StationService) -> None:
    """One publications round for every station, twice: each publishes its encryption key, then hears
    the others' (what a first sync does), so bundles can be sealed to them."""
    from sync.client import SyncClient
    from sync.publications import fetch_publications

    for _ in range(2):
        for service in services:
            service.store.set_meta("publications_cursor", "0")
            with SyncClient(service, url, give_up_after=5.0) as client:
                fetch_publications(client)
