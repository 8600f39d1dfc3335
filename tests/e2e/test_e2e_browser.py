"""The citizen's page in real headless Chromium at a phone's size; the screenshot is kept."""
from __future__ import annotations

from pathlib import Path

import pytest

from station.ledger import display_case_no
from sync.client import SyncClient
from tests.support.demo import TOWNSHIP, VILLAGE
from tests.support.hub import HubProcess, file_case, make_station

from .conftest import ARTIFACTS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _lines(page, selector: str) -> int:  # noqa: ANN001 - a playwright Page
    """How many lines of text an element takes."""
    return int(page.evaluate(f"""() => {{
        const e = document.querySelector({selector!r});
        return Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight));
    }}"""))


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_phone_sees_progress_and_rates(tmp_path: Path, hub: HubProcess) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    village, agent, village_key = make_station(tmp_path, VILLAGE, hub.config)
    township, approver, township_key = make_station(tmp_path, TOWNSHIP, hub.config, role="approver", agent="T01")
    hub.enroll(VILLAGE, village_key)
    hub.enroll(TOWNSHIP, township_key)
    hub.start()
    case_no = file_case(village, agent)
    with SyncClient(village, give_up_after=5) as client:
        client.sync_once()
    with SyncClient(township, give_up_after=5) as client:
        client.sync_once()
        township.act(approver, case_no, "accepted")
        township.act(approver, case_no, "approved")
        client.sync_once()
    url = village.tracking_url(case_no)
    assert url and url == url.upper()

    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
        page.goto(url)
        assert page.locator("#status").inner_text() == "准予/已办结"
        assert "曾*" in page.content() and "11010519491231002X" not in page.content()
        assert page.evaluate("getComputedStyle(document.querySelector('.bar')).backgroundColor") == "rgb(200, 22, 29)"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        assert page.locator("#case-no").inner_text() == display_case_no(case_no)
        assert _lines(page, "#case-no") == 1, "the case number must not wrap"
        page.set_viewport_size({"width": 360, "height": 740})  # a smaller phone: still one line, no sideways scroll
        assert _lines(page, "#case-no") == 1 and page.evaluate("document.documentElement.scrollWidth") <= 360
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(ARTIFACTS / "tracking-page.png"), full_page=True)
        page.get_by_label("非常满意").check()
        page.locator("textarea").fill("代办员很耐心，跑一次就办好了")
        page.get_by_role("button", name="提交评价").click()
        page.wait_for_url("**rated=1")
        assert "感谢您的反馈" in page.locator("#message").inner_text()
        box = page.locator("#message").bounding_box()
        assert box is not None and box["y"] + box["height"] <= 844, "the thank-you is in the first screen"
        page.screenshot(path=str(ARTIFACTS / "tracking-page-rated.png"), full_page=True)
        browser.close()

    with SyncClient(village, give_up_after=5) as client:
        client.sync_once()
    assert [r["level"] for r in village.case(case_no).ratings] == [5]
    village.close()
    township.close()
