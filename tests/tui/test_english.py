"""English mode: the ledger's statuses, event kinds and roles are in English too."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import OptionList, Static

from station.service import StationService
from station.tui.i18n import set_language

from .conftest import AGENT_PIN, file_example_case, make_app, settle, sign_in


@pytest.fixture(autouse=True)
def back_to_chinese() -> Iterator[None]:
    yield
    set_language("zh")


async def test_the_case_screen_in_english_has_no_chinese_ledger_labels(village: StationService) -> None:
    agent = village.sign_in("a01", AGENT_PIN)
    case_no = file_example_case(village, agent)
    village.act(agent, case_no, "forwarded")
    app = make_app(village)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        app.toggle_language()
        await settle(pilot)
        app.open_case(case_no)
        await settle(pilot)
        summary = str(app.screen.query_one("#case-summary", Static).render())
        timeline = str(app.screen.query_one("#case-timeline", Static).render())
        actions = [str(option.prompt) for option in app.screen.query_one("#case-actions", OptionList).options]
    assert "submitted" in summary and "已报送" not in summary
    assert "received" in timeline and "forwarded" in timeline and "agent" in timeline
    assert not any(chinese in timeline for chinese in ("收件", "报送", "代办员"))
    assert "withdrawn" in actions and "撤回" not in actions
