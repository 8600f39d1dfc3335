"""The staff pages in real headless Chromium: log in, read the digest and the ranking, log out."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.demo import VILLAGE

from .conftest import ARTIFACTS, Hub

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_staff_logs_in_and_sees_the_ranking_on_a_phone(hub: Hub) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    hub.add_staff("browser01", "陈督查")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
        page.goto(f"{hub.url}/staff/ranking?start=2026-11-01&end=2026-11-30")
        assert "/staff/login" in page.url  # no session: the login form, not the figures
        page.get_by_label("工号").fill("browser01")
        page.get_by_label("密码").fill("wrong password")
        page.get_by_role("button", name="登录").click()
        assert "工号或密码不对" in page.locator("#message").inner_text()
        page.get_by_label("工号").fill("browser01")
        page.get_by_label("密码").fill("村村通-2026-secure")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/staff/ranking?start=2026-11-01&end=2026-11-30")
        first = page.locator("#ranking tbody tr").first
        assert first.get_attribute("data-station") == VILLAGE
        assert first.locator("td.on_time_rate").inner_text() == "100.0%"
        assert page.locator("#ranking tbody tr").count() == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        page.screenshot(path=str(ARTIFACTS / "staff-ranking.png"), full_page=True)
        page.get_by_role("link", name="今日提醒").click()
        assert page.locator("[data-section=deadlines_past]").inner_text() == "1"
        page.screenshot(path=str(ARTIFACTS / "staff-digest.png"), full_page=True)
        page.get_by_role("button", name="退出").click()
        page.wait_for_url("**/staff/login")
        page.goto(f"{hub.url}/staff/")
        assert "/staff/login" in page.url
        browser.close()
    assert (ARTIFACTS / "staff-ranking.png").stat().st_size > 10_000
