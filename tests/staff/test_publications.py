"""One catalogue, one calendar: published at the city hall, received by stations on sync."""
from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from cityhall.db import make_engine
from cityhall.publish import publications_after
from forms import builtin_catalogue
from station.deadlines import case_deadline
from station.home import StationHome
from station.service import StationService
from sync.client import SyncClient, SyncReport
from tests.support.demo import ROOT, TOWNSHIP, VILLAGE
from tests.support.hub import VENV_BIN, free_port, in_process_hub, topology_for

from .scenario import ITEM, Clock, Site, act, intake, open_site

CALENDAR_2027 = """\
# 2027: as announced by the State Council (abridged for the test)
year = 2027
holidays = [2027-01-01, 2027-02-06, 2027-02-07, 2027-02-08, 2027-02-09, 2027-02-10, 2027-02-11, 2027-02-12]
workdays = [2027-02-13, 2027-02-14]
"""


@dataclass
class Town:
    url: str
    db_url: str
    folder: Path
    clock: Clock
    village: Site
    township: Site

    def publish(self, kind: str, path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(VENV_BIN / "cityhall"), "publish", kind, str(path), "--db", self.db_url, "--json"],
                              capture_output=True, text=True, timeout=30, env=os.environ.copy())


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Town]:
    port = free_port()
    config = topology_for(tmp_path, port)
    clock = Clock()
    with in_process_hub(tmp_path, config, port) as app:
        village, village_key = open_site(tmp_path, VILLAGE, config, clock, "agent")
        township, township_key = open_site(tmp_path, TOWNSHIP, config, clock, "approver")
        app.state.store.enroll(VILLAGE, village_key)  # type: ignore[attr-defined]
        app.state.store.enroll(TOWNSHIP, township_key)  # type: ignore[attr-defined]
        yield Town(f"http://127.0.0.1:{port}", f"sqlite:///{tmp_path / 'hub.db'}", tmp_path, clock, village, township)
        village.service.close()
        township.service.close()


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_2027_calendar_turns_an_unknown_deadline_into_a_date(town: Town) -> None:
    town.clock.on("2026-12-24")  # Thursday; 10 working days run into January 2027
    case_no = intake(town.village, "曾𠮷")
    act(town.village, case_no, "forwarded")
    town.village.sync()
    town.township.sync()
    act(town.township, case_no, "accepted")
    township = town.township.service
    before = case_deadline(township.case(case_no), township.calendar)
    assert before.date is None and before.note == "deadline unknown: no calendar for 2027"
    assert township.list_cases()[0]["deadline"] is None
    town.township.sync()
    citizens_page = town.village.service.tracking_url(case_no).replace("/T/", "/api/v1/track/")
    assert httpx.get(citizens_page).json()["deadline"] is None

    published = town.publish("calendar", _write(town.folder, "2027.toml", CALENDAR_2027))
    assert published.returncode == 0, published.stderr
    assert json.loads(published.stdout) | {"sha256": ""} == {"published": True, "kind": "calendar", "seq": 1,
                                                             "name": "2027.toml", "sha256": ""}
    town.township.sync()

    # 12-25, 28, 29, 30, 31 (5), 2027-01-01 is a holiday, 01-04 … 01-08 (10)
    assert (township.home.calendar_dir / "2027.toml").read_text(encoding="utf-8") == CALENDAR_2027
    assert case_deadline(township.case(case_no), township.calendar).iso == "2027-01-08"
    assert township.list_cases()[0]["deadline"] == "2027-01-08"  # the stored projection was recomputed
    assert httpx.get(citizens_page).json()["deadline"] == "2027-01-08"  # and the citizen's page agrees
    again = town.publish("calendar", town.folder / "2027.toml")
    assert json.loads(again.stdout)["published"] is False  # the same table twice: nothing new


def test_a_new_item_version_is_used_by_new_cases_and_old_cases_keep_theirs(town: Town) -> None:
    town.clock.on("2026-11-02")
    old_case = intake(town.village, "欧阳娜娜")
    assert _sync_round(town.village).rejected == 0  # the hub has judged a push by the catalogue before v3
    version_2 = (ROOT / "forms" / "items" / f"{ITEM}.v2.toml").read_text(encoding="utf-8")
    version_3 = version_2.replace("promise_days = 10", "promise_days = 7")
    published = town.publish("item", _write(town.folder, f"{ITEM}.v3.toml", version_3))
    assert published.returncode == 0, published.stderr
    assert _sync_round(town.village).publications == 1
    village = town.village.service
    assert village.catalogue.get(ITEM).version == 3 and village.catalogue.versions(ITEM) == [1, 2, 3]
    new_case = intake(town.village, "张三丰")
    assert village.case(new_case).item["version"] == 3 and village.case(new_case).item["promise_days"] == 7
    assert village.case(old_case).item["version"] == 2 and village.case(old_case).item["promise_days"] == 10
    pushed = _sync_round(town.village)  # the hub judges the new case by v3, published since its last push
    assert (pushed.pushed, pushed.rejected, pushed.parked) == (1, 0, 0), pushed
    reopened = StationService(StationHome(village.home.root), clock=town.clock)
    assert reopened.catalogue.get(ITEM).promise_days == 7  # read from the home's items folder at start
    reopened.close()


def _sync_round(site: Site) -> SyncReport:
    with SyncClient(site.service, give_up_after=10.0) as client:
        return client.sync_once()


def test_a_broken_item_is_refused_with_every_problem_and_nothing_is_stored(town: Town) -> None:
    broken = _write(town.folder, "420115GF0099.toml", 'code = "420115GF0099"\nname = ""\npromise_days = -3\n'
                                                      'instant = "no"\n')
    refused = town.publish("item", broken)
    assert refused.returncode == 2 and refused.stdout == ""
    problems = refused.stderr.strip().splitlines()
    assert len(problems) >= 3 and all("420115GF0099" in line for line in problems)
    assert any("promise_days" in line for line in problems) and any("instant" in line for line in problems)
    bad_calendar = _write(town.folder, "2028.toml", "holidays = [2027-10-01, 2028-10-01]\nworkdays = [2028-10-09]\n")
    refused = town.publish("calendar", bad_calendar)
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 2 and "2027-10-01" in lines[0] and "2028-10-09" in lines[1]
    assert publications_after(make_engine(town.db_url), 0, 10) == ([], False)


def test_a_published_version_never_changes(town: Town) -> None:
    version_2 = (ROOT / "forms" / "items" / f"{ITEM}.v2.toml").read_text(encoding="utf-8")
    clash = town.publish("item", _write(town.folder, f"{ITEM}.v2.toml", version_2.replace("promise_days = 10",
                                                                                          "promise_days = 8")))
    assert clash.returncode == 2 and "请把 version 改为 3" in clash.stderr
    same_as_builtin = town.publish("item", ROOT / "forms" / "items" / f"{ITEM}.v2.toml")
    assert same_as_builtin.returncode == 0  # identical to the built-in version: harmless
    first = town.publish("item", _write(town.folder, f"{ITEM}.v4.toml", version_2))
    changed = town.publish("item", _write(town.folder, f"{ITEM}.v4.toml", version_2.replace("不收费", "收费")))
    assert first.returncode == 0 and changed.returncode == 2 and "已于" in changed.stderr
    assert builtin_catalogue().versions(ITEM) == [1, 2]


def test_publications_are_signed_like_pull(town: Town) -> None:
    assert httpx.get(f"{town.url}/api/v1/publications?after=0").status_code == 401
