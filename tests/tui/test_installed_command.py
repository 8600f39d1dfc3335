"""The installed ``station`` command in a real terminal (tmux, 80×24): sign in, file a case."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from station.lockbox import Credentials
from station.home import StationHome
from station.service import StationService, init_station
from tests.support.demo import DEMO_TOPOLOGY_FILE, VILLAGE
from tests.support.hub import run_station

from .conftest import AGENT_PIN, CITIZEN_ID

pytestmark = pytest.mark.slow


def _station_command() -> str | None:
    beside_python = Path(sys.executable).parent / "station"
    return str(beside_python) if beside_python.exists() else shutil.which("station")


class Terminal:
    def __init__(self, session: str) -> None:
        self.session = session

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.session, *(["-l"] if literal else []), *keys], check=True)
        time.sleep(0.25)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.session], check=True,
                              capture_output=True, text=True).stdout

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")


@pytest.mark.skipif(shutil.which("tmux") is None or _station_command() is None, reason="needs tmux and station")
def test_file_a_case_in_tmux(tmp_path: Path) -> None:
    home = StationHome(tmp_path / "home")
    init_station(home, VILLAGE, DEMO_TOPOLOGY_FILE)
    service = StationService(home)
    service.add_agent("a01", "李小𠮷", "agent", AGENT_PIN)
    service.close()
    session = f"station-test-{os.getpid()}"
    env = f"STATION_HOME={home.root} TERM=xterm-256color"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24",
                    f"env {env} {_station_command()} tui"], check=True)
    term = Terminal(session)
    try:
        term.wait_for("操作员登录")
        term.keys("a01", literal=True)
        term.keys("Enter")
        term.keys(AGENT_PIN, literal=True)
        term.keys("Enter")
        term.wait_for("今日待办")
        term.keys("n")
        term.wait_for("① 申请人")
        term.keys(CITIZEN_ID, literal=True)
        term.keys("Enter")
        term.keys("王𠮷祥", literal=True)
        term.keys("Enter")
        term.keys("Enter")
        term.wait_for("镇级办理")
        term.keys("lsjz", literal=True)
        term.keys("Enter")
        term.wait_for("救助类型")
        term.keys("Enter")
        term.keys("Down")
        term.keys("Enter")
        term.keys("Tab")  # a choice keeps the cursor on its field
        for value in ("2026年10月家中房屋失火衣物口粮被毁", "4", "3000", "湖北农商银行", "6228480402564890018", "王𠮷祥"):
            if value:
                term.keys(value, literal=True)
            term.keys("Enter")
        term.wait_for("r 已收")
        for key in ("r", "r", "r", "d"):
            term.keys(key)
        term.keys("C-n")
        term.wait_for("委托代办授权书")
        term.keys("Space")
        term.keys("C-s")
        screen = term.wait_for("便民服务收件回执")
        assert "▀" in screen or "▄" in screen or "█" in screen
        assert all(len(line) <= 80 for line in screen.splitlines())
        term.keys("C-q")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    service = StationService(home, credentials=Credentials(pin=AGENT_PIN))
    try:
        (case,) = service.list_cases()
        assert case["applicant_name"] == "王𠮷祥" and case["status"] == "received"
        assert service.case(case["case_no"]).deferred.keys() == {"bank_card_copy"}
    finally:
        service.close()


class _BlackHole:
    """A city hall that accepts connections and never answers: the worst network for quitting."""

    def __init__(self) -> None:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)  # connections queue in the kernel; nobody ever reads them

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def close(self) -> None:
        self.sock.close()


def _session_alive(session: str) -> bool:
    return subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode == 0


@pytest.mark.skipif(shutil.which("tmux") is None or _station_command() is None, reason="needs tmux and station")
def test_ctrl_q_quits_at_once_while_a_sync_hangs_on_the_network(tmp_path: Path) -> None:
    home = StationHome(tmp_path / "home")
    init_station(home, VILLAGE, DEMO_TOPOLOGY_FILE)
    service = StationService(home)
    service.add_agent("a01", "李小𠮷", "agent", AGENT_PIN)
    service.close()
    hub = _BlackHole()
    session = f"station-quit-{os.getpid()}"
    env = f"STATION_HOME={home.root} STATION_CITYHALL_URL={hub.url} TERM=xterm-256color"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24",
                    f"env {env} {_station_command()} tui"], check=True)
    term = Terminal(session)
    try:
        term.wait_for("操作员登录")
        term.keys("a01", literal=True)
        term.keys("Enter")
        term.keys(AGENT_PIN, literal=True)
        term.keys("Enter")
        term.wait_for("今日待办")
        term.keys("s")
        term.wait_for("立即同步")
        term.keys("F5")  # sync now: it hangs on the black hole, as do the background loop's rounds
        term.wait_for("处理中")
        pressed = time.monotonic()
        subprocess.run(["tmux", "send-keys", "-t", session, "C-q"], check=True)
        while _session_alive(session) and time.monotonic() - pressed < 10:
            time.sleep(0.05)
        took = time.monotonic() - pressed
        # a loaded PC included; before, it waited for the hung sync
        assert not _session_alive(session) and took < 3.0, f"quitting took {took:.1f} s"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        hub.close()


def test_a_folder_that_is_no_station_home_is_told_not_an_internal_error(tmp_path: Path) -> None:
    done = run_station(tmp_path / "nowhere", "tui")
    assert done.returncode == 3, done.stderr
    assert "还不是站点目录：请先运行 station init" in done.stderr and "内部错误" not in done.stderr + done.stdout
    assert not (tmp_path / "nowhere").exists()  # nothing written where no station lives
