"""``station sync`` and the app's "sync now" run the same round (sync/round.py): same figures, files included."""
from __future__ import annotations

import time
from pathlib import Path

from station.home import StationHome
from station.lockbox import Credentials
from station.service import StationService
from station.tui.sync_loop_port import LoopSyncPort
from tests.support.demo import VILLAGE

from .scans import a4_scan

from . import test_cli_hub
from .test_cli_hub import Hub, _case_with_scans, as_json

hub = test_cli_hub.hub  # the fixture: a city hall on loopback with the demo stations enrolled

_VARYING = ("clock_offset_s",)


def _figures(payload: dict) -> dict:
    files = {k: v for k, v in payload["files"].items() if k != "bytes_sent"}  # the two cases' scans differ in size
    return {k: v for k, v in payload.items() if k not in _VARYING} | {"files": files}


def _wait_for_first_round(port: LoopSyncPort) -> None:
    deadline = time.monotonic() + 30
    while port.loop.status().last_report is None:
        assert time.monotonic() < deadline, port.loop.status()
        time.sleep(0.05)


def test_the_command_and_the_app_give_the_same_round(hub: Hub, scan_dir: Path, tmp_path: Path) -> None:
    village = hub.homes[VILLAGE]
    _case_with_scans(village, scan_dir)
    by_command = as_json(village, "sync")
    service = StationService(StationHome(village), credentials=Credentials(pin="1234"))  # signed in, as the app is
    port = LoopSyncPort(service)
    try:
        _wait_for_first_round(port)  # nothing pending: the background round found nothing to send
        later_scans = tmp_path / "later"
        later_scans.mkdir()
        # other scans, so the city hall has not seen them yet
        (later_scans / "户口本.jpg").write_bytes(a4_scan(3))
        (later_scans / "委托书.pdf").write_bytes((scan_dir / "委托书.pdf").read_bytes() + b"\n%second case\n")
        _case_with_scans(village, later_scans)
        by_app = port.sync_now().to_json()
    finally:
        port.close()
        service.close()
    assert by_command["pushed"] == 4 and by_command["files"]["uploaded"] == 2
    assert _figures(by_app) == _figures(by_command)
