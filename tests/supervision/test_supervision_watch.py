"""The daily digest on the November fixture, seen from the township and from the village (2026-11-25)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from station.cli.main import main
from station.ledger import CaseState
from station.supervision import WatchPolicy, watch
from station.workdays import WorkCalendar
from tests.support.demo import TOWNSHIP, VILLAGE
from tests.reports.scenario import Casebook, november


@pytest.fixture(autouse=True)
def _unlocking_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands run in-process read the store: the PIN of a township operator unlocks it, as for a script."""
    monkeypatch.setenv("STATION_PIN", "2345")

WEDNESDAY = date(2026, 11, 25)


def digest_at(book: Casebook, station: str, policy: WatchPolicy = WatchPolicy()):
    service = book.township if station == TOWNSHIP else book.village
    return watch(service.case_states(), service.calendar, WEDNESDAY, station, policy)


def test_township_digest(book: Casebook, cases: dict[str, str]) -> None:
    digest = digest_at(book, TOWNSHIP)
    # H accepted 11-12, due 11-26: one working day left. E accepted 11-06, due 11-20: 3 wd late.
    assert [(a.case_no, a.date, a.workdays) for a in digest.deadlines_near] == [(cases["H"], "2026-11-26", 1)]
    assert [(a.case_no, a.date, a.workdays) for a in digest.deadlines_past] == [(cases["E"], "2026-11-20", 3)]
    # E's bank card was due 11-12; the township handles E, so it is the one prompted to void.
    [deferred] = digest.deferred_past_due
    assert (deferred.case_no, deferred.date, deferred.can_act) == (cases["E"], "2026-11-12", True)
    assert "作废" in deferred.note and "银行卡" in deferred.note
    # G forwarded 11-18, never answered: 19, 20, 23, 24, 25 = 5 working days, today is the last day
    # to accept, refuse or ask for supplements before it counts as accepted (Art. 32).
    assert digest.waiting_acceptance == () and digest.acceptance_past == ()
    [waiting] = digest.acceptance_at_risk
    assert (waiting.case_no, waiting.date, waiting.workdays) == (cases["G"], "2026-11-25", 5)
    assert "2026-11-25 前受理" in waiting.note
    # D rated 1 on 11-06, fix due 5 wd later (11-13), no call-back; B was called back.
    [follow_up] = digest.follow_ups_open
    assert (follow_up.case_no, follow_up.fix_by, follow_up.state(WEDNESDAY)) == (cases["D"], "2026-11-13", "overdue")
    assert digest.deadlines_unknown == ()


def test_village_sees_its_cases_but_acts_on_its_own_part(book: Casebook, cases: dict[str, str]) -> None:
    digest = digest_at(book, VILLAGE)
    assert [a.can_act for a in digest.deadlines_past + digest.deferred_past_due + digest.acceptance_at_risk] == [
        False, False, False]
    assert [(f.case_no, f.can_act) for f in digest.follow_ups_open] == [(cases["D"], True)]


def test_thresholds_are_policy(book: Casebook) -> None:
    digest = digest_at(book, TOWNSHIP, WatchPolicy(warn_workdays=0, acceptance_wait_workdays=6, fix_workdays=15))
    assert digest.deadlines_near == () and digest.waiting_acceptance == ()
    assert digest.follow_ups_open[0].fix_by == "2026-11-27"
    assert digest.follow_ups_open[0].state(WEDNESDAY) == "open"


def test_a_call_back_closes_the_follow_up(tmp_path: Path) -> None:
    book = Casebook(tmp_path)
    try:
        cases = november(book)
        book.on("2026-11-25", hour=10).at_village(cases["D"], "called_back", reason="已上门解释政策")
        assert digest_at(book, VILLAGE).follow_ups_open == ()
    finally:
        book.close()


def test_digest_as_data_for_the_home_screen(book: Casebook) -> None:
    payload = json.loads(json.dumps(digest_at(book, TOWNSHIP).as_dict()))
    assert payload["counts"] == {"acceptance_past": 0, "deadlines_past": 1, "acceptance_at_risk": 1, "deadlines_near": 1,
                                 "deadlines_unknown": 0, "deferred_past_due": 1, "waiting_acceptance": 0,
                                 "follow_ups_open": 1}
    assert payload["follow_ups_open"][0]["state"] == "overdue"
    assert payload["policy"]["fix_workdays"] == 5


def test_a_deadline_beyond_the_calendar_is_listed_not_guessed() -> None:
    state = CaseState(case_no="4201151022032026122800012", origin=VILLAGE, handler=TOWNSHIP, status="accepted",
                      handlers=[VILLAGE, TOWNSHIP], item={"name": "高龄津贴", "promise_days": 10},
                      received_on="2026-12-28", accepted_on="2026-12-28")
    digest = watch([state], WorkCalendar.load(), date(2026, 12, 29), TOWNSHIP)
    [unknown] = digest.deadlines_unknown
    assert unknown.date is None and "2027" in unknown.note


def test_watch_command(book: Casebook, capsys: pytest.CaptureFixture[str]) -> None:
    home = str(book.township.home.root)
    assert main(["--home", home, "watch", "--wait-days", "1", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["policy"]["acceptance_wait_workdays"] == 1 and "deadlines_past" in payload
    assert main(["--home", home, "watch", "--fix-days", "-1"]) == 2
