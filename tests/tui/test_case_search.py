"""The Cases screen's search: a case number in any form it is shown in, a bare serial, a name or its pinyin."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from station.ledger import display_case_no
from station.service import StationService
from station.tui.queries import CaseFilter, CaseQueries
from station.tui.screens.cases import CasesScreen
from station.tui.widgets.case_table import CaseTable
from tests.support.demo import VILLAGE

from .conftest import AGENT_PIN, CITIZEN_ID, CITIZEN_NAME, FROZEN_NOW, file_example_case, make_app, make_service, \
    paste, settle, sign_in

ZENG_ID = "11010519491231002X"


class Clock:
    def __init__(self) -> None:
        self.now = FROZEN_NOW - timedelta(days=1)

    def __call__(self):  # noqa: ANN204
        return self.now


@pytest.fixture
def two_days(tmp_path: Path) -> Iterator[tuple[StationService, list[str]]]:
    """Serial 0001 on two days (曾𠮷 on the 22nd, 王𠮷祥 on the 23rd), and 0002 on the 23rd (曾𠮷)."""
    clock = Clock()
    service = make_service(tmp_path / "village", VILLAGE, clock)
    agent = service.add_agent("a01", "李小𠮷", "agent", AGENT_PIN)
    cases = [file_example_case(service, agent, name="曾𠮷", id_number=ZENG_ID)]
    clock.now = FROZEN_NOW
    cases.append(file_example_case(service, agent, name=CITIZEN_NAME, id_number=CITIZEN_ID))
    cases.append(file_example_case(service, agent, name="曾𠮷", id_number=ZENG_ID))
    yield service, cases
    service.close()


def _found(service: StationService, text: str) -> set[str]:
    queries = CaseQueries(service.home.database, service.station.code, key=service.data_key)
    try:
        today = service.today()
        return {line.case_no for line in queries.cases(CaseFilter(text=text), today, today)}
    finally:
        queries.close()


def test_every_shown_form_of_a_case_number_finds_it(two_days: tuple[StationService, list[str]]) -> None:
    service, (_, wang, _) = two_days
    assert wang[12:24] == "202611230001"
    for text in (wang, display_case_no(wang), "20261123-0001", "202611230001", "11230001", "1123-0001",
                 "20261123-0001-" + wang[24]):
        assert _found(service, text) == {wang}, text


def test_a_bare_serial_finds_that_serial_on_every_day(two_days: tuple[StationService, list[str]]) -> None:
    service, (zeng_22nd, wang, zeng_23rd) = two_days
    assert _found(service, "0001") == {zeng_22nd, wang}
    assert _found(service, "0002") == {zeng_23rd}
    assert _found(service, "2") == _found(service, "02") == {zeng_23rd}  # as said aloud (no ID starts so)


def test_the_last_four_of_an_id_number_find_the_citizens_cases(two_days: tuple[StationService, list[str]]) -> None:
    """All a receipt shows of the ID number is its first four and last four (4201**********1238)."""
    service, (zeng_22nd, wang, zeng_23rd) = two_days
    assert _found(service, CITIZEN_ID[-4:]) == {wang}
    assert _found(service, ZENG_ID[-4:]) == _found(service, ZENG_ID[-4:].lower()) == {zeng_22nd, zeng_23rd}


def test_a_name_its_pinyin_or_an_id_number_finds_the_citizens_cases(
        two_days: tuple[StationService, list[str]]) -> None:
    service, (zeng_22nd, wang, zeng_23rd) = two_days
    assert _found(service, "曾𠮷") == {zeng_22nd, zeng_23rd}
    assert _found(service, "zj") == {zeng_22nd, zeng_23rd}  # initials; 𠮷 is keyed as ji
    assert _found(service, "ZengJi") == {zeng_22nd, zeng_23rd}
    assert _found(service, "wjx") == {wang}
    assert _found(service, "110105") == {zeng_22nd, zeng_23rd}
    assert _found(service, "qq") == set()


async def test_the_cases_screen_finds_the_today_board_number(two_days: tuple[StationService, list[str]]) -> None:
    service, (_, wang, _) = two_days
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CasesScreen)
        await pilot.press("ctrl+f")
        await paste(pilot, "11230001")
        await settle(pilot)
        table = app.screen.query_one(CaseTable)
        assert [row.value for row in table.rows] == [wang]
        await pilot.press("enter", "enter")  # to the table, then open the case
        await settle(pilot)
        assert getattr(app.screen, "case_no", None) == wang
