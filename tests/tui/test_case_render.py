"""The case screen's history names materials the way the checklist does, not by code or all at once."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from station.home import CHINA_TZ
from station.tui.case_render import case_fields, case_timeline
from station.tui.i18n import set_language
from station.views import case_view
from tests.station.helpers import FakeClock, allowance_request, make_service, sign_in
from tests.support.demo import VILLAGE


def test_history_groups_the_checklist_by_status_and_names_supplied_materials(tmp_path: Path) -> None:
    set_language("zh")
    service = make_service(tmp_path, VILLAGE, FakeClock(datetime(2026, 11, 23, 9, 30, tzinfo=CHINA_TZ)))
    service.add_agent("A01", "王小丽", "agent", "1234")
    agent = sign_in(service, "A01", "1234")
    case_no = service.intake(agent, allowance_request())["case_no"]
    service.act(agent, case_no, "supplemented", materials=["bank_card_copy"])
    state = service.case(case_no)

    history = case_timeline(case_view(state, service.topology, service.calendar, "2026-11-23")).plain

    received, supplemented = history.split("\n")[2], history.split("\n")[4]
    assert received.strip() == ("已收 居民身份证、户口簿、高龄津贴申请表；容缺 银行卡（惠民惠农一卡通）复印件；"
                                "缺少 代领人居民身份证（家属代领的）")
    assert supplemented.strip() == "银行卡（惠民惠农一卡通）复印件"
    assert "bank_card_copy" not in history
    service.close()


def test_the_case_shows_what_was_filled_in_under_the_form_labels(tmp_path: Path) -> None:
    set_language("zh")
    service = make_service(tmp_path, VILLAGE, FakeClock(datetime(2026, 11, 23, 9, 30, tzinfo=CHINA_TZ)))
    service.add_agent("A01", "王小丽", "agent", "1234")
    case_no = service.intake(sign_in(service, "A01", "1234"), allowance_request())["case_no"]
    state = service.case(case_no)
    view = case_view(state, service.topology, service.calendar, "2026-11-23")

    lines = case_fields(view.fields, service.field_labels(view)).plain.splitlines()

    assert lines[0] == "申请信息"
    assert f" 年龄段：{state.fields['age_band']}" in lines
    assert all("：" in line and "_" not in line.split("：")[0] for line in lines[1:])  # labels, not keys
    service.close()
