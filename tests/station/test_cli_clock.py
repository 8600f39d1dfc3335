"""The legal clock through the installed command: a village hands a case to its township on a
USB-stick bundle; the township's ``station queue`` lists it; ``station act`` extends and pauses it."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from station.home import CHINA_TZ
from station.ledger import display_case_no
from station.workdays import default_calendar
from tests.support.demo import DEMO_TOPOLOGY_FILE, TOWNSHIP, VILLAGE
from tests.support.keys import introduce_homes

from .test_cli import intake_args, run


@pytest.fixture(scope="module")
def township_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("clock")
    village, township = root / "village", root / "township"
    for home, code in ((village, VILLAGE), (township, TOWNSHIP)):
        assert run(home, "init", "--station", code, "--config", str(DEMO_TOPOLOGY_FILE)).returncode == 0
    assert run(village, "agent", "add", "--id", "A01", "--name", "王小丽", "--role", "agent").returncode == 0
    assert run(township, "agent", "add", "--id", "P01", "--name", "赵审批", "--role", "approver").returncode == 0
    assert run(township, "agent", "add", "--id", "C01", "--name", "李窗口", "--role", "clerk").returncode == 0
    case_no = json.loads(run(village, *intake_args("--json")).stdout)["case_no"]
    assert run(village, "act", case_no, "forwarded", "--agent", "A01").returncode == 0
    introduce_homes(village, township)
    stick = root / "stick.bundle"
    assert run(village, "bundle", "export", str(stick)).returncode == 0
    assert run(township, "bundle", "import", str(stick)).returncode == 0
    return township, case_no


def _json(home: Path, *args: str) -> dict:
    result = run(home, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_queue_then_extension_then_pause(township_case: tuple[Path, str]) -> None:
    township, case_no = township_case
    today = datetime.now(CHINA_TZ).date()  # the station's day, not this machine's
    [entry] = _json(township, "queue")["queue"]
    assert (entry["case_no"], entry["status"], entry["origin"], entry["urgency"]) == (case_no, "submitted", VILLAGE, "normal")
    calendar = default_calendar()
    if calendar.covers(today.year) and calendar.covers((today + timedelta(days=20)).year):
        assert entry["answer_by"] == calendar.add_workdays(today, 5).isoformat()
    listing = run(township, "queue").stdout
    assert "待本站决定 1 件" in listing and display_case_no(case_no) in listing  # the one grouped form (DESIGN §3)

    accepted = _json(township, "act", case_no, "accepted", "--agent", "P01")
    assert accepted["deemed_accepted"] is False and accepted["acceptance"]["answered_on"] == today.isoformat()

    by_clerk = run(township, "act", case_no, "extended", "--agent", "C01", "--days", "3", "--reason", "复杂")
    assert by_clerk.returncode == 4 and "审批人" not in by_clerk.stderr and "无权" in by_clerk.stderr
    bare = run(township, "act", case_no, "extended", "--agent", "P01")
    assert bare.returncode == 2
    assert "--days" in bare.stderr and "--reason" in bare.stderr  # both problems at once
    too_long = run(township, "act", case_no, "extended", "--agent", "P01", "--days", "11", "--reason", "复杂")
    assert too_long.returncode == 2 and "最多可延期 10 个工作日" in too_long.stderr  # 高龄津贴: 20 legal, 10 promised

    extended = _json(township, "act", case_no, "extended", "--agent", "P01", "--days", "3", "--reason", "需入户核查")
    assert extended["extension"]["days"] == 3 and extended["extension"]["reason"] == "需入户核查"
    if accepted["deadline"] and extended["deadline"]:
        moved = calendar.workdays_between(date.fromisoformat(accepted["deadline"]), date.fromisoformat(extended["deadline"]))
        assert moved == 3
        assert extended["legal_deadline"] == accepted["legal_deadline"]  # 13 promised days still within the 20
    again = run(township, "act", case_no, "extended", "--agent", "P01", "--days", "1", "--reason", "再延")
    assert again.returncode == 2 and "只能延期一次" in again.stderr

    wrong = run(township, "act", case_no, "suspended", "--agent", "P01", "--reason", "听证", "--until", "昨天")
    assert wrong.returncode == 2 and "该事项没有“听证”环节" in wrong.stderr and "YYYY-MM-DD" in wrong.stderr
    worse = run(township, "act", case_no, "extended", "--agent", "P01", "--days", "11")
    assert worse.returncode == 2 and "最多可延期 10 个工作日" in worse.stderr and "--reason" in worse.stderr
    paused = _json(township, "act", case_no, "suspended", "--agent", "P01", "--reason", "公示")
    assert paused["paused"]["label"] == "公示中"
    assert paused["paused"]["until"] == (today + timedelta(days=7)).isoformat()  # 高龄津贴's 7-day 公示
    assert paused["deadline"] is None and "公示中" in paused["deadline_note_zh"]
    text = run(township, "case", case_no).stdout
    assert "法定时限" in text and "公示中" in text and "延期" in text

    resumed = _json(township, "act", case_no, "resumed", "--agent", "P01")
    assert resumed["paused"] is None and resumed["pauses"][0]["to"] == today.isoformat()
    assert resumed["deadline"] == extended["deadline"]  # paused and resumed the same day: nothing not counted
