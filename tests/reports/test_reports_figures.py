"""Report figures against the November fixture counted by hand (see ``scenario.november``)."""
from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from station.cli.main import main
from station.reports import FIGURE_LABELS, Period, report_json, station_report, write_csv, write_xlsx
from tests.support.demo import TOWNSHIP, VILLAGE

from .scenario import Casebook


@pytest.fixture(autouse=True)
def _unlocking_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands run in-process read the store: the PIN of a township operator unlocks it, as for a script."""
    monkeypatch.setenv("STATION_PIN", "2345")

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))

# Counted by hand from the fixture:
#   received in November: A B C D E G H (F came in October)             -> 7
#   accepted in November: F 11-02, A B 11-03, C 11-04, E 11-06, H 11-12  -> 6
#   approved: F 11-05 (on time), A 11-16 (on time), B 11-20 (deadline 11-17: late) -> 3, 2 on time
#   working days acceptance -> decision: F 3, A 9, B 13                  -> 25 / 3 = 8.33
#   refused: D                                                           -> 1
#   容缺 at intake: A supplied, C voided, E still owed                    -> 1 / (1 + 1) honoured
#   ratings: E 4, D 1, A 5, B 2 -> satisfied 2 of 4; bad D, B; B called back -> 1 of 2
#   G forwarded 11-18, unanswered by 11-25 (5 working days): by 11-30 it counts as accepted -> 1
#   decided past the legal limit (20 working days): none                 -> 0
HAND_COUNTED = {
    "received": 7, "accepted": 6, "decided": 3, "refused": 1, "decided_with_deadline": 3, "on_time": 2,
    "on_time_rate": 0.6667, "average_workdays": 8.33, "deferred_cases": 3, "deferred_supplied": 1,
    "deferred_voided": 1, "deferred_owed": 1, "deferred_honoured_rate": 0.5, "ratings": 4, "satisfied": 2,
    "satisfaction_rate": 0.5, "bad_ratings": 2, "followed_up": 1, "follow_up_rate": 0.5,
    "deemed_accepted": 1, "legal_overdue": 0,
}


def township_report(book: Casebook, period: Period = NOVEMBER):
    service = book.township
    return station_report(service.case_states(), service.calendar, period, TOWNSHIP, service.station.name)


def test_figures_match_the_hand_count(book: Casebook) -> None:
    report = township_report(book)
    assert report.figures == HAND_COUNTED
    assert report.ratings_by_level == {5: 1, 4: 1, 3: 0, 2: 1, 1: 1}
    assert list(report.figures) == list(FIGURE_LABELS)


def test_each_case_line_says_why(book: Casebook, cases: dict[str, str]) -> None:
    lines = {line.case_no: line for line in township_report(book).cases}
    a, b, c, f = (lines[cases[k]] for k in "ABCF")
    assert (a.deadline, a.on_time, a.workdays_to_decision, a.deferred_outcome) == ("2026-11-17", True, 9, "supplied")
    assert (b.deadline, b.on_time, b.workdays_to_decision, b.deferred_outcome) == ("2026-11-17", False, 13, None)
    assert (c.status, c.deferred_outcome) == ("voided", "voided")
    assert (f.received_on, f.on_time, f.workdays_to_decision) == ("2026-10-30", True, 3)
    assert [f.closed for f in b.follow_ups] == [True]


def test_each_figure_is_dated_by_its_own_event(book: Casebook) -> None:
    october = township_report(book, Period(date(2026, 10, 1), date(2026, 10, 31))).figures
    assert (october["received"], october["accepted"], october["decided"]) == (1, 0, 0)
    late_month = township_report(book, Period(date(2026, 11, 16), date(2026, 11, 30))).figures
    assert (late_month["received"], late_month["decided"], late_month["on_time"]) == (1, 2, 1)
    assert (late_month["ratings"], late_month["bad_ratings"], late_month["followed_up"]) == (2, 1, 1)


def test_the_village_sees_the_same_figures_after_sync(book: Casebook) -> None:
    village = book.village
    report = station_report(village.case_states(), village.calendar, NOVEMBER, VILLAGE)
    assert report.figures == HAND_COUNTED


def test_rates_are_none_when_nothing_was_counted(book: Casebook) -> None:
    empty = township_report(book, Period(date(2025, 1, 1), date(2025, 1, 31)))
    rates = {k: v for k, v in empty.figures.items() if k.endswith("_rate") or k == "average_workdays"}
    assert set(rates.values()) == {None}
    assert not empty.cases
    with pytest.raises(ValueError, match="before it starts"):
        Period(date(2026, 2, 1), date(2026, 1, 1))


def test_xlsx_has_the_figures_and_the_cases(book: Casebook, cases: dict[str, str], tmp_path: Path) -> None:
    report = township_report(book)
    write_xlsx(report, tmp_path / "report.xlsx")
    workbook = load_workbook(tmp_path / "report.xlsx")
    assert workbook.sheetnames == ["统计", "案件"]
    figures = {row[1]: (row[0], row[2]) for row in workbook["统计"].iter_rows(min_row=3, values_only=True)}
    assert {key: value for key, (_, value) in figures.items() if key in HAND_COUNTED} == HAND_COUNTED
    assert figures["rating_1"] == ("评价：非常不满意", 1)
    rate_row = next(r for r in workbook["统计"].iter_rows(min_row=3) if r[1].value == "satisfaction_rate")
    assert rate_row[2].number_format == "0.0%"
    rows = list(workbook["案件"].iter_rows(values_only=True))
    assert rows[0][0] == "案件编号" and len(rows) == 1 + 8
    by_case = {row[0]: row for row in rows[1:]}
    assert by_case[cases["B"]][9:14] == ("否", 13, None, "不满意", "1/1")
    assert by_case[cases["C"]][11] == "逾期作废"


def test_csv_and_json(book: Casebook, tmp_path: Path) -> None:
    report = township_report(book)
    write_csv(report, tmp_path / "report.csv")
    with (tmp_path / "report.csv").open(encoding="utf-8-sig", newline="") as source:
        rows = list(csv.reader(source))
    assert rows[0] == ["指标", "代码", "数值"]
    assert {r[1]: r[2] for r in rows[1:]}["follow_up_rate"] == "0.5"
    payload = json.loads(json.dumps(report_json(report)))
    assert payload["figures"] == HAND_COUNTED and payload["from"] == "2026-11-01"


def test_report_command(book: Casebook, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = str(book.township.home.root)
    xlsx = tmp_path / "r.xlsx"
    code = main(["--home", home, "report", "--from", "2026-11-01", "--to", "2026-11-30", "--xlsx", str(xlsx), "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0 and payload["figures"] == HAND_COUNTED and payload["xlsx"] == str(xlsx) and xlsx.exists()
    assert main(["--home", home, "report", "--from", "2026-13-01", "--to", "soon"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "--from" in err[0] and "--to" in err[1]
