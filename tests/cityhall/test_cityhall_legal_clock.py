"""One case's legal clock through the real parts: village → hub → township over loopback HTTP,
then ``station case --json`` (a real subprocess) and the citizen's page must tell the same story.

The case reaches the township on Friday 2026-09-25 (Mid-autumn, before the National Day
break), is accepted late on 10-12 (so it counts as accepted from 09-25), extended by 5
working days and paused for the 7-day 公示 of 高龄津贴.
"""
from __future__ import annotations

from datetime import datetime

import httpx

from station.home import CHINA_TZ
from station.views import case_view
from tests.station.helpers import FakeClock
from tests.support.demo import TOWNSHIP, VILLAGE
from tests.support.hub import file_case, json_of, run_station

from .conftest import World


def _at(site, day: str) -> None:  # noqa: ANN001 - a Site of the fixture
    site.service.clock = FakeClock(datetime.fromisoformat(f"{day}T10:00:00+08:00"))


def _case_through_the_hub(world: World) -> str:
    village, township = world.sites[VILLAGE], world.sites[TOWNSHIP]
    _at(village, "2026-09-25")
    case_no = file_case(village.service, village.operator)
    with village.client() as client:
        client.sync_once()
    with township.client() as client:
        client.sync_once()
        _at(township, "2026-10-12")
        service, operator = township.service, township.operator
        service.act(operator, case_no, "accepted")
        service.act(operator, case_no, "extended", days=5, reason="需入户核查赡养情况")
        service.act(operator, case_no, "suspended", reason="公示")  # the item's 公示 lasts 7 days
        _at(township, "2026-10-19")
        service.act(operator, case_no, "resumed")
        client.sync_once()
    return case_no


def test_station_case_and_the_citizens_page_agree_on_both_clocks(world: World) -> None:
    case_no = _case_through_the_hub(world)
    township = world.sites[TOWNSHIP]
    station = json_of(run_station(township.service.home.root, "case", case_no, "--json"))
    token = world.sites[VILLAGE].service.store.token(case_no)
    page = httpx.get(f"{world.url}/api/v1/track/{case_no}/{token}").json()

    # deemed accepted from 09-25; 10 promised + 5 extension + 5 working days of 公示 (10-13..10-19)
    assert (station["deadline"], station["legal_deadline"]) == ("2026-10-29", "2026-11-05")
    assert (page["deadline"], page["legal_deadline"]) == (station["deadline"], station["legal_deadline"])
    assert station["deemed_accepted"] is page["deemed_accepted"] is True
    assert page["deemed_from"] == station["clock_started_on"] == "2026-09-25"
    assert station["extension"]["days"] == page["extension"]["days"] == 5
    assert page["extension"]["reason"] == station["extension"]["reason"] == "需入户核查赡养情况"
    [pause] = station["pauses"]
    assert (pause["reason"], pause["from"], pause["to"], pause["until"], pause["workdays"]) == (
        "公示", "2026-10-12", "2026-10-19", "2026-10-19", 5)
    assert page["pauses"] == [{k: pause[k] for k in ("reason", "label", "from", "to", "until")}]
    steps = [(s["kind"], s.get("detail")) for s in page["timeline"]][-3:]
    assert steps == [("extended", "延长 5 个工作日：需入户核查赡养情况"), ("suspended", "公示，预计 2026-10-19 结束"),
                     ("resumed", None)]
    html = httpx.get(f"{world.url}/T/{case_no}/{token}").text
    assert "视为受理" in html and "法定时限" in html and "2026-11-05" in html and "需入户核查赡养情况" in html


def test_a_running_pause_shows_on_the_citizens_page(world: World) -> None:
    village, township = world.sites[VILLAGE], world.sites[TOWNSHIP]
    _at(village, "2026-09-28")
    case_no = file_case(village.service, village.operator)
    with village.client() as client:
        client.sync_once()
    with township.client() as client:
        client.sync_once()
        _at(township, "2026-09-29")
        township.service.act(township.operator, case_no, "accepted")
        township.service.act(township.operator, case_no, "suspended", reason="公示", until="2026-10-09")
        client.sync_once()
    token = village.service.store.token(case_no)
    page = httpx.get(f"{world.url}/api/v1/track/{case_no}/{token}").json()
    today = datetime.now(CHINA_TZ).date()
    assert page["paused"] == {"label": "公示中", "from": "2026-09-29", "until": "2026-10-09"}
    assert page["deadline"] is None and "公示中" in page["deadline_note"]
    view = case_view(township.service.case(case_no), township.service.topology, township.service.calendar,
                     today.isoformat())
    assert view.clock.paused_now is not None and view.clock.paused_now.label == "公示中" and view.deadline is None
    html = httpx.get(f"{world.url}/T/{case_no}/{token}").text
    assert "公示中（2026-09-29 起，预计 2026-10-09 结束）" in html
