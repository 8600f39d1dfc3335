"""A receipt printed again later says what was handed over at intake, not what the case is now."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from station.cli.main import main as station_main
from station.service import Operator
from station.tui.screens.receipt import receipt_text
from tests.support.demo import VILLAGE

from .helpers import FakeClock, allowance_request, make_service


def test_a_reprint_weeks_later_is_the_receipt_handed_over(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    clock = FakeClock(datetime.fromisoformat("2026-11-02T10:00:00+08:00"))
    village = make_service(tmp_path, VILLAGE, clock)
    try:
        village.add_agent("A01", "王小丽", "agent", "1234")
        agent = Operator("A01", "王小丽", "agent")
        case_no = village.intake(agent, allowance_request())["case_no"]
        handed_over = receipt_text(village, case_no)
        assert "银行卡" in handed_over.split("待补材料")[1] and "收件时间  2026-11-02 10:00" in handed_over

        clock.now = datetime.fromisoformat("2026-11-20T15:00:00+08:00")
        village.act(agent, case_no, "supplemented", materials=["bank_card_copy"])
        village.act(agent, case_no, "forwarded")
        assert receipt_text(village, case_no) == handed_over, "the app's reprint"
    finally:
        village.close()
    monkeypatch.setenv("STATION_HOME", str(tmp_path / VILLAGE))
    monkeypatch.setenv("STATION_PIN", "1234")  # the operator's PIN unlocks the store, as for a script
    assert station_main(["receipt", case_no, "--text"]) == 0
    assert capsys.readouterr().out.strip() == handed_over.strip(), "station receipt says the same"
