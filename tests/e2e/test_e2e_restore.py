"""A village PC is stolen with 5 of its 20 cases unsynced: revoke, new PC, restore, carry on.

Real processes throughout: ``cityhall serve``, ``cityhall revoke``/``enroll``/``verify``
and the ``station`` command on real SQLite files.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import httpx

from station.home import StationHome
from station.keys import load_private_key
from station.service import StationService
from sync.signing import signed_headers
from tests.support.demo import TOWNSHIP, VILLAGE
from tests.support.hub import VENV_BIN, HubProcess, file_case, json_of, make_station, run_station

CASES_SYNCED, CASES_LOST = 15, 5


def _cityhall(hub: HubProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(VENV_BIN / "cityhall"), *args, "--db", hub.db_url], capture_output=True, text=True,
                          timeout=60)


def _sync(home: Path) -> dict:
    result = run_station(home, "sync", "--json")
    assert result.returncode == 0, result.stderr
    return json_of(result)


def _file(home: Path, count: int) -> list[str]:
    service = StationService(StationHome(home))
    try:
        agent = service.sign_in("A01", "1234")
        return [file_case(service, agent, index) for index in range(count)]
    finally:
        service.close()


def test_stolen_pc_revoked_new_pc_restores_and_carries_on(tmp_path: Path, hub: HubProcess) -> None:
    village, _, old_key = make_station(tmp_path / "old", VILLAGE, hub.config)
    township, approver, township_key = make_station(tmp_path, TOWNSHIP, hub.config, role="approver", agent="T01")
    village.close()
    old_home = tmp_path / "old" / VILLAGE
    hub.enroll(VILLAGE, old_key)
    hub.enroll(TOWNSHIP, township_key)
    hub.start()

    synced = _file(old_home, CASES_SYNCED)
    assert _sync(old_home)["pushed"] == CASES_SYNCED * 2  # received + forwarded each
    with _township_client(township) as client:
        client.sync_once()
        township.act(approver, synced[0], "accepted")
        client.sync_once()
    lost = _file(old_home, CASES_LOST)
    stolen_home = tmp_path / "stolen"
    shutil.copytree(old_home, stolen_home)  # the thief's copy of the PC
    shutil.rmtree(old_home)  # the dead disk

    revoked = _cityhall(hub, "revoke", VILLAGE, "--reason", "电脑被盗", "--json")
    assert revoked.returncode == 0, revoked.stderr
    new_home = tmp_path / "new" / VILLAGE
    init = json_of(run_station(new_home, "init", "--station", VILLAGE, "--config", str(hub.config), "--json"))
    assert _cityhall(hub, "enroll", VILLAGE, init["public_key"]).returncode == 0

    restored = run_station(new_home, "restore", "--json")
    assert restored.returncode == 0, restored.stderr
    report = json_of(restored)
    assert report["cases"] == CASES_SYNCED
    assert report["own_events"] == CASES_SYNCED * 2 and report["events"] == CASES_SYNCED * 2 + 1
    today = synced[0][12:16] + "-" + synced[0][16:18] + "-" + synced[0][18:20]
    assert report["last_serial"][today] == CASES_SYNCED
    assert report["last_event"]["case_no"] == synced[-1] and report["last_event"]["kind"] == "forwarded"
    assert synced[-1] in report["lost"] and "无法找回" in report["lost"]

    new_pc = StationService(StationHome(new_home))
    listed = new_pc.store.case_rows()
    assert sorted(c["case_no"] for c in listed) == sorted(synced)
    assert {c["case_no"]: c["status"] for c in listed}[synced[0]] == "accepted"  # the township's decision came too
    new_pc.add_agent("A01", "王小丽", "agent", "1234")  # operators are local: the admin adds them again
    new_pc.close()
    fresh = _file(new_home, 1)[0]
    assert fresh not in synced + lost
    assert int(fresh[20:24]) > CASES_SYNCED + CASES_LOST  # past every serial the stolen PC may have used
    assert _sync(new_home)["pushed"] == 2
    verify = _cityhall(hub, "verify", "--json")
    assert verify.returncode == 0, verify.stdout
    chains = {c["station"]: c for c in json_of(verify)["stations"]}
    assert chains[VILLAGE]["status"] == "intact" and chains[VILLAGE]["events"] == CASES_SYNCED * 2 + 2

    stolen_sync = run_station(stolen_home, "sync", "--json")
    assert stolen_sync.returncode == 4 and "revoked" in stolen_sync.stderr
    stolen_key = load_private_key(stolen_home / "station.key")
    headers = signed_headers(stolen_key, VILLAGE, "GET", "/api/v1/sync/pull?after=0", b"", 0)  # any timestamp
    answer = httpx.get(f"{hub.url}/api/v1/sync/pull?after=0", headers=headers)
    assert answer.status_code == 401 and answer.json()["reason"] == "revoked"
    metrics = httpx.get(f"{hub.url}/metrics").text
    assert f'cityhall_station_awaiting_new_key{{station="{VILLAGE}"}} 0' in metrics
    township.close()


def _township_client(township: StationService):  # noqa: ANN202 - a SyncClient
    from sync.client import SyncClient

    return SyncClient(township, give_up_after=10)
