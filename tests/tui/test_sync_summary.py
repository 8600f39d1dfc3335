"""The sync screen says what an export or an import did in the operator's words, not as raw keys."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from station.errors import StationError
from station.tui.i18n import set_language
from station.tui.screens.sync import result_summary, sync_summary
from sync.client import SyncReport
from sync.files import TransferReport
from sync.round import RoundReport
from sync.carry import export_bundle, import_bundle
from tests.support.demo import TOWNSHIP, VILLAGE
from tests.support.hub import file_case, make_station, topology_for
from tests.support.keys import introduce


@pytest.fixture
def chinese() -> Iterator[None]:
    set_language("zh")
    yield
    set_language("zh")


def test_a_stick_from_village_to_township_is_told_in_chinese(tmp_path: Path, chinese: None) -> None:
    config = topology_for(tmp_path, 9)
    village, agent, _ = make_station(tmp_path, VILLAGE, config)
    township, _, _ = make_station(tmp_path, TOWNSHIP, config, role="approver", agent="T01")
    introduce(village, township)
    file_case(village, agent)
    stick = tmp_path / "stick.ssb"

    exported = result_summary("export_bundle", export_bundle(village, stick))
    imported = result_summary("import_bundle", import_bundle(township, stick))

    assert exported == f"数据包已导出到 {stick}：2 条记录，0 个附件，另带其他站点的数据包 0 个"
    assert imported == f"数据包已导入（来自 {VILLAGE}）：2 条新记录，0 个附件，下次同步时代为上传"
    village.close()
    township.close()


def test_a_sync_is_told_in_english_too(chinese: None) -> None:
    set_language("en")
    summary = sync_summary(RoundReport(SyncReport(pushed=3, pulled=1), TransferReport()))
    assert summary == "Synced: 3 sent, 1 received, 0 rejected, 0 still waiting"


def test_a_refused_relay_file_is_told_on_its_own_line(chinese: None) -> None:
    summary = sync_summary(RoundReport(SyncReport(pushed=3, refused_bundles=1), TransferReport()))
    assert summary.splitlines() == ["同步完成：上传 3 条，下载 0 条，被退回 0 条，仍待上传 0 条",
                                    "市中心拒收了代传的数据包 1 个：已移到 relay/refused 保留，不再上传"]


def test_files_left_behind_are_named_on_their_own_lines(chinese: None) -> None:
    result = {"from": VILLAGE, "events": 2, "applied": 0, "will_relay": False, "files": 0, "file_bytes": 0,
              "files_dropped": ["案件 X 的附件“户口本.jpg”不在数据包里"], "files_for_other_stations": 0}
    lines = result_summary("import_bundle", result).splitlines()
    assert lines == [f"数据包已导入（来自 {VILLAGE}）：0 条新记录，0 个附件，这些记录本站都已有，无需再导入",
                     "案件 X 的附件“户口本.jpg”不在数据包里"]


def test_a_missing_stick_is_said_in_chinese_and_nothing_is_written(tmp_path: Path) -> None:
    village, agent, _ = make_station(tmp_path, VILLAGE, topology_for(tmp_path, 9))
    file_case(village, agent)
    absent = tmp_path / "media" / "usb"

    with pytest.raises(StationError) as export:
        export_bundle(village, absent / "stick.ssb")
    with pytest.raises(StationError) as imported:
        import_bundle(village, absent / "stick.ssb")

    assert str(export.value) == f"找不到文件夹 {absent}：请检查 U 盘是否插好，或换一个保存位置"
    assert str(imported.value) == f"找不到数据包文件 {absent / 'stick.ssb'}：请检查 U 盘是否插好、文件名是否写对"
    assert not absent.exists() and village.store.outbox_counts().get("pending") == 2
    village.close()


def test_the_same_stick_imported_twice_says_nothing_new_and_nothing_to_relay(tmp_path: Path, chinese: None) -> None:
    config = topology_for(tmp_path, 9)
    village, agent, _ = make_station(tmp_path, VILLAGE, config)
    township, _, _ = make_station(tmp_path, TOWNSHIP, config, role="approver", agent="T01")
    introduce(village, township)
    file_case(village, agent)
    stick = tmp_path / "stick.ssb"
    export_bundle(village, stick)
    import_bundle(township, stick)

    again = result_summary("import_bundle", import_bundle(township, stick))

    assert again == f"数据包已导入（来自 {VILLAGE}）：0 条新记录，0 个附件，这些记录本站都已有，无需再导入"
    assert "代为上传" not in again
    village.close()
    township.close()
