"""Each screen at 80×24 (and the home screen at 120×40), with Chinese and 𠮷 in the data.

Time is frozen through the service clock, tracking tokens are fixed, cursors do not blink.
Update after a deliberate change with ``pytest tests/tui --snapshot-update``.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import station.receipts.tokens
from station.service import StationService
from tests.support.demo import TOWNSHIP, VILLAGE

from .conftest import AGENT_PIN, CITIZEN_ID, CLERK_PIN, FROZEN_NOW, file_example_case, make_app, make_service, paste, \
    settle, sign_in, type_text


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def busy_village(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StationService]:
    """A village with a case in every section of the Today board."""
    serial = iter(range(10_000))
    monkeypatch.setattr(station.receipts.tokens, "new_token", lambda: f"SNAPSHOTCASEAAA{chr(65 + next(serial))}")
    clock = Clock(FROZEN_NOW - timedelta(days=14))
    village = make_service(tmp_path / "village", VILLAGE, clock)
    township = make_service(tmp_path / "township", TOWNSHIP, clock)
    village.add_agent("a01", "李小𠮷", "agent", AGENT_PIN)
    township.add_agent("c01", "张敏", "clerk", CLERK_PIN)
    township.add_agent("p01", "欧阳审批", "approver", "9753")
    agent, clerk, approver = (village.sign_in("a01", AGENT_PIN), township.sign_in("c01", CLERK_PIN),
                              township.sign_in("p01", "9753"))
    decided = file_example_case(village, agent, name="欧阳𠮷", id_number="420115195505051235")
    near = file_example_case(village, agent, name="张三丰", id_number="420115198002021230")
    for case_no in (decided, near):
        village.act(agent, case_no, "forwarded")
        township.apply_events(village.store.case_events(case_no))
        township.act(clerk, case_no, "accepted")
    township.act(approver, decided, "approved")
    for case_no in (decided, near):
        village.apply_events(township.store.case_events(case_no))
    clock.now = FROZEN_NOW - timedelta(days=7)
    file_example_case(village, agent, name="王𠮷祥", id_number=CITIZEN_ID)
    clock.now = FROZEN_NOW
    waiting = file_example_case(village, agent, deferred=(), name="司马小芳", id_number="420115200012120021")
    village.store.mark_outbox(village.store.case_events(waiting)[0].id, "rejected", "签名时间偏差过大，请校准时钟后重发")
    township.close()
    yield village
    village.close()


async def _signed_in(pilot) -> None:  # noqa: ANN001
    await sign_in(pilot, "a01", AGENT_PIN)
    await settle(pilot)


def test_sign_in(busy_village: StationService, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(busy_village), terminal_size=(80, 24))


def test_home(busy_village: StationService, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(busy_village), terminal_size=(80, 24), run_before=_signed_in)


def test_home_large(busy_village: StationService, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(busy_village), terminal_size=(120, 40), run_before=_signed_in)


async def _intake_citizen(pilot) -> None:  # noqa: ANN001
    await _signed_in(pilot)
    await pilot.press("n")
    await settle(pilot)
    await type_text(pilot, "wx")  # 王𠮷祥 by pinyin initials (𠮷 has no pinyin in the table)
    await settle(pilot)


def test_intake_citizen(busy_village: StationService, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(busy_village), terminal_size=(80, 24), run_before=_intake_citizen)


async def _intake_form(pilot) -> None:  # noqa: ANN001
    await _intake_citizen(pilot)
    await pilot.press("enter")  # pick the returning citizen highlighted in the results
    await settle(pilot)
    await pilot.press("enter")  # keep the phone on file
    await paste(pilot, "临时救助")
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("enter", "down", "enter", "tab")  # pick 急难型, move on
    await paste(pilot, "短")  # too short: the problem shows as typed
    await settle(pilot)


def test_intake_form(busy_village: StationService, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(busy_village), terminal_size=(80, 24), run_before=_intake_form)


async def _intake_materials(pilot) -> None:  # noqa: ANN001
    await _intake_form(pilot)
    app = pilot.app
    form = app.screen.query_one("#step-form")
    for key, value in {"hardship_description": "2026年10月家中房屋失火衣物口粮被毁", "household_size": "4",
                       "bank_name": "湖北农商银行", "bank_account": "6228480402564890018",
                       "account_holder": "王𠮷祥"}.items():
        form.query_one(f"#field-{key}").set_value(value)
    await pilot.press("ctrl+n")
    await settle(pilot)
    await pilot.press("r", "r", "d")


def test_intake_materials(busy_village: StationService, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(busy_village), terminal_size=(80, 24), run_before=_intake_materials)


async def _notice(pilot) -> None:  # noqa: ANN001
    await _intake_materials(pilot)
    await pilot.press("m", "ctrl+n")
    await settle(pilot)


def test_one_time_notice(busy_village: StationService, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(busy_village), terminal_size=(80, 24), run_before=_notice)


async def _receipt(pilot) -> None:  # noqa: ANN001
    await _intake_materials(pilot)
    await pilot.press("d", "ctrl+n")
    await settle(pilot)
    await pilot.press("space", "ctrl+s")
    await settle(pilot)
    pilot.app.clear_notifications()
    await settle(pilot)


def test_receipt(busy_village: StationService, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(busy_village), terminal_size=(80, 24), run_before=_receipt)


async def _cases(pilot) -> None:  # noqa: ANN001
    await _signed_in(pilot)
    await pilot.press("c")
    await settle(pilot)


def test_cases(busy_village: StationService, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(busy_village), terminal_size=(80, 24), run_before=_cases)


async def _case(pilot) -> None:  # noqa: ANN001
    await _cases(pilot)
    await pilot.press("down", "down", "enter")  # the case with a material owed (容缺)
    await settle(pilot)


def test_case(busy_village: StationService, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(busy_village), terminal_size=(80, 24), run_before=_case)


async def _rating_dialog(pilot) -> None:  # noqa: ANN001
    await _case(pilot)
    listing = pilot.app.screen.query_one("#case-actions")
    listing.highlighted = listing.get_option_index("rated")
    await pilot.press("enter")
    await settle(pilot)


def test_action_dialog(busy_village: StationService, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(busy_village), terminal_size=(80, 24), run_before=_rating_dialog)


async def _sync(pilot) -> None:  # noqa: ANN001
    await _signed_in(pilot)
    await pilot.press("s")
    await settle(pilot)
    await pilot.press("enter")  # sync now, with no sync package: a clear message
    await settle(pilot)


def test_sync(busy_village: StationService, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(busy_village), terminal_size=(80, 24), run_before=_sync)
