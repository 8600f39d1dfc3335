"""The station's case screen and ``station case --json`` show which texts the city hall sent."""
from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from station.tui.screens.case import CaseScreen
from tests.tui.conftest import AGENT_PIN, file_example_case, make_app, make_service, settle, sign_in
from tests.support.demo import VILLAGE

from station.tui.i18n import set_language


async def test_the_case_screen_lists_the_texts_sent_and_why_one_was_not(tmp_path: Path) -> None:
    set_language("zh")
    service = make_service(tmp_path / "village", VILLAGE)
    service.add_agent("a01", "李小𠮷", "agent", AGENT_PIN)
    case_no = file_example_case(service, service.sign_in("a01", AGENT_PIN))
    service.store.save_sms_notices([
        {"case_no": case_no, "step": "received", "status": "sent", "at": "2026-11-23T09:31:02+08:00",
         "detail": "HTTP 200", "phone": "139****1234"},
        {"case_no": case_no, "step": "accepted", "status": "failed", "at": "2026-11-24T10:00:00+08:00",
         "detail": "短信平台拒绝：isv.MOBILE_NUMBER_ILLEGAL", "phone": "139****1234"}])
    service.store.save_sms_notices([  # a later sync brings the same step again: the newest status wins
        {"case_no": case_no, "step": "received", "status": "sent", "at": "2026-11-23T09:31:02+08:00",
         "detail": "HTTP 200", "phone": "139****1234"}])
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        app.open_case(case_no)
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        history = str(app.screen.query_one("#case-timeline", Static).content)
    lines = history.splitlines()
    start = lines.index("短信通知")
    assert lines[start + 1].strip() == "2026-11-23 09:31 收件 已发送"
    assert lines[start + 2].strip() == "2026-11-24 10:00 受理 发送失败（短信平台拒绝：isv.MOBILE_NUMBER_ILLEGAL）"
    assert len(lines) == start + 3
    service.close()


def test_station_case_in_plain_text_lists_the_texts(tmp_path: Path) -> None:
    from station.cli.text import case_text
    from station.views import case_view

    service = make_service(tmp_path / "village", VILLAGE)
    service.add_agent("a01", "李小𠮷", "agent", AGENT_PIN)
    case_no = file_example_case(service, service.sign_in("a01", AGENT_PIN))
    service.store.save_sms_notices([
        {"case_no": case_no, "step": "received", "status": "skipped", "at": "2026-11-23T09:31:02+08:00",
         "detail": "申请人选择不再接收短信", "phone": "139****1234"}])
    state = service.case(case_no)
    view = case_view(state, service.topology, service.calendar, "2026-11-23", None, service.store.sms_notices(case_no))
    lines = case_text(view).splitlines()
    assert lines[-2:] == ["短信通知", "  2026-11-23 09:31  收件         未发送（申请人选择不再接收短信）"]
    service.close()
