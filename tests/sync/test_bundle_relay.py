"""A township carrying a village's stick: its pending count includes what it will relay, and the
same stick imported twice says so plainly (real ``station`` processes, real homes, a real hub)."""
from __future__ import annotations

import json
from pathlib import Path

from station.tui.sync_port import StoreSyncPort
from sync.client import SyncClient
from tests.support.demo import TOWNSHIP, VILLAGE
from tests.support.hub import exchange_keys, file_case, free_port, in_process_hub, make_station, run_station, topology_for


def test_the_township_counts_relayed_events_as_pending_and_a_second_import_says_so(tmp_path: Path) -> None:
    port = free_port()
    config = topology_for(tmp_path, port)
    village, agent, village_key = make_station(tmp_path, VILLAGE, config)
    township, _, township_key = make_station(tmp_path, TOWNSHIP, config, role="approver")
    try:
        with in_process_hub(tmp_path, config, port) as app:  # a first sync: each hears the others' keys
            app.state.store.enroll(VILLAGE, village_key)
            app.state.store.enroll(TOWNSHIP, township_key)
            exchange_keys(f"http://127.0.0.1:{port}", village, township)
        for index in range(2):
            file_case(village, agent, index)  # received + forwarded: 4 events
        stick = tmp_path / "光星村.bundle"
        assert json.loads(run_station(village.home.root, "bundle", "export", str(stick), "--json").stdout)["events"] == 4
        own = township.outbox_counts()["pending"]

        first = run_station(township.home.root, "bundle", "import", str(stick))
        assert first.returncode == 0 and "新记录 4 条" in first.stdout and "下次同步时代为上传" in first.stdout
        assert township.outbox_counts()["pending"] == own + 4, "the village's events wait here to go up"
        assert StoreSyncPort(township).status().pending == own + 4  # the app's status bar says the same

        second = run_station(township.home.root, "bundle", "import", str(stick))
        assert second.returncode == 0, second.stderr
        assert "这个数据包已导入过" in second.stdout and "4 条记录本站都已有" in second.stdout
        assert "仍在等待下次同步时代为上传" in second.stdout and "新记录 0 条" not in second.stdout
        assert township.outbox_counts()["pending"] == own + 4, "imported twice, relayed once"

        with in_process_hub(tmp_path, config, port) as app:
            app.state.store.enroll(VILLAGE, village_key)
            app.state.store.enroll(TOWNSHIP, township_key)
            with SyncClient(township, give_up_after=5.0) as client:
                report = client.sync_once()
        assert (report.relayed_bundles, report.pending) == (1, 0)
    finally:
        village.close()
        township.close()
