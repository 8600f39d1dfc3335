"""Digest and ranking at the city hall, checked against the hand-computed November fixture."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

import openpyxl

from tests.support.demo import TOWNSHIP, VILLAGE, VILLAGE_2

from .conftest import Hub, log_in

PERIOD = {"start": "2026-11-01", "end": "2026-11-30"}


@contextmanager
def _signed_in(hub: Hub, staff_id: str) -> Iterator[httpx.Client]:
    hub.add_staff(staff_id)
    with hub.client() as client:
        assert log_in(client, staff_id).status_code == 303
        yield client


def test_digest_lists_each_alert_under_the_station_that_must_act(hub: Hub) -> None:
    cases = hub.city.cases
    with _signed_in(hub, "digest01") as client:
        body = client.get("/staff/api/digest").json()
    assert body["day"] == "2026-11-20"
    assert body["counts"] == {"acceptance_past": 0, "deadlines_past": 1, "acceptance_at_risk": 0, "deadlines_near": 1,
                              "deadlines_unknown": 0, "deferred_past_due": 1, "waiting_acceptance": 1,
                              "follow_ups_open": 1}
    stations = {s["code"]: s for s in body["stations"]}
    assert set(stations) == {TOWNSHIP, VILLAGE}
    township = {(e["section"], e["case_no"]): e for e in stations[TOWNSHIP]["entries"]}
    # A2: accepted 11-03 + 10 working days = 11-17; 11-18, 11-19, 11-20 are 3 days over.
    assert township[("deadlines_past", cases["A2"])]["date"] == "2026-11-17"
    assert township[("deadlines_past", cases["A2"])]["workdays"] == 3
    # B2: accepted 11-06 (Fri) + 10 = 11-20, today: 0 days left.
    assert township[("deadlines_near", cases["B2"])]["date"] == "2026-11-20"
    assert township[("deadlines_near", cases["B2"])]["workdays"] == 0
    # A2's bank card: deferred on 11-02 for 5 working days, due 11-09; 9 working days late by 11-20.
    assert township[("deferred_past_due", cases["A2"])]["date"] == "2026-11-09"
    assert township[("deferred_past_due", cases["A2"])]["workdays"] == 9
    # B1 rated 1 on 11-18: call-back due 5 working days later, 11-25; still open.
    assert township[("follow_ups_open", cases["B1"])]["date"] == "2026-11-25"
    assert township[("follow_ups_open", cases["B1"])]["state"] == "open"
    village = stations[VILLAGE]["entries"]
    assert [(e["section"], e["case_no"], e["date"], e["workdays"]) for e in village] == [
        ("waiting_acceptance", cases["A3"], "2026-11-16", 4)]
    assert village[0]["applicant"] == "王*"  # masked, never the full name


def test_ranking_figures_and_order(hub: Hub) -> None:
    with _signed_in(hub, "rank01") as client:
        body = client.get("/staff/api/ranking", params=PERIOD).json()
    rows = [{k: row[k] for k in ("rank", "code", "received", "decided", "on_time_rate", "average_workdays",
                                 "satisfaction_rate", "follow_up_rate")} for row in body["stations"]]
    assert rows == [
        # A1, A2, A3 received; A1 decided on time, 11-03 → 11-05 = 2 working days; rated 5.
        {"rank": 1, "code": VILLAGE, "received": 3, "decided": 1, "on_time_rate": 1.0, "average_workdays": 2.0,
         "satisfaction_rate": 1.0, "follow_up_rate": None},
        # A1, A2, B1, B2; A1 on time, B1 late (11-18 > 11-17: 11 working days); ratings 5 and 1.
        {"rank": 2, "code": TOWNSHIP, "received": 4, "decided": 2, "on_time_rate": 0.5, "average_workdays": 6.5,
         "satisfaction_rate": 0.5, "follow_up_rate": 0.0},
        # B1 and B2; B1 late, rated 1, no call-back.
        {"rank": 3, "code": VILLAGE_2, "received": 2, "decided": 1, "on_time_rate": 0.0, "average_workdays": 11.0,
         "satisfaction_rate": 0.0, "follow_up_rate": 0.0},
    ]


def test_ranking_by_level_and_an_empty_period(hub: Hub) -> None:
    with _signed_in(hub, "rank02") as client:
        villages = client.get("/staff/api/ranking", params=PERIOD | {"level": "village"}).json()["stations"]
        october = client.get("/staff/api/ranking", params={"start": "2026-10-01", "end": "2026-10-31"}).json()
        backwards = client.get("/staff/api/ranking", params={"start": "2026-11-30", "end": "2026-11-01"})
    assert [row["code"] for row in villages] == [VILLAGE, VILLAGE_2]
    assert october["stations"] == []
    assert backwards.status_code == 400 and "结束不能早于开始" in backwards.json()["reason"]


def test_ranking_downloads_as_xlsx_and_csv(hub: Hub) -> None:
    with _signed_in(hub, "rank03") as client:
        workbook = client.get("/staff/ranking.xlsx", params=PERIOD)
        table = client.get("/staff/ranking.csv", params=PERIOD)
    assert workbook.status_code == 200
    assert 'filename="station-ranking-2026-11-01-2026-11-30.xlsx"' in workbook.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content))["站点排名"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("名次", "站点代码", "站点", "层级", "收件数", "办结数", "按期办结率", "平均办理工作日",
                       "满意率", "差评回访率")
    assert rows[2][:2] == (1, VILLAGE) and rows[2][4:] == (3, 1, 1.0, 2.0, 1.0, None)
    assert rows[3][1] == TOWNSHIP and rows[3][6] == 0.5 and rows[4][1] == VILLAGE_2
    assert sheet.cell(row=3, column=7).number_format == "0.0%"
    assert table.content.startswith("\ufeff".encode())  # Excel reads the Chinese headings
    lines = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert lines[0][0] == "名次" and [line[1] for line in lines[1:]] == [VILLAGE, TOWNSHIP, VILLAGE_2]
    assert lines[3][6:] == ["0.0", "11.0", "0.0", "0.0"]


def test_ranking_page_shows_percentages_in_chinese(hub: Hub) -> None:
    with _signed_in(hub, "rank04") as client:
        page = client.get("/staff/ranking", params=PERIOD)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "站点排名" in page.text and "按期办结率" in page.text
    assert "50.0%" in page.text and "—" in page.text
