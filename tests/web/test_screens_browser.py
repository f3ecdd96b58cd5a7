"""A screen in real Chromium: it shows a code, a curator registers it in the console, it shows
its token feed and reports what it shows; removed, it goes dark and shows a new code."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.conftest import PASSWORD, UNIT, Running, add, make_user, serving, token_for
from tests.web.conftest import SHOTS, axe_violations
from ticker.feeds import Feed
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store

pytestmark = pytest.mark.browser
WIDGET = "document.querySelector('voc-ticker')"
COMMENTS = [
    Verbatim("nps", "The lobby coffee machine is finally fixed, thanks!", "g1", 10, "nps"),
    Verbatim("nps", "Waited 40 minutes at reception, nobody told me why", "b1", 3, "nps"),
]


@pytest.fixture
def server(settings: Settings, store: Store, tagger: Tagger) -> Iterator[Running]:
    add(store, tagger, *COMMENTS)
    store.save_feed(Feed.from_dict({"name": "lobby", "title": "Lobby", "access": "token"}))
    make_user(store, "ann@example.com", "admin")
    with serving(replace(settings, screen_heartbeat_seconds=1)) as running:
        yield running


@pytest.fixture
def tv(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport={"width": 1920, "height": 1080}, service_workers="block")
    yield made
    made.close()


def test_a_screen_registers_by_code_and_shows_its_feed(
    server: Running, store: Store, browser: Browser, tv: BrowserContext
) -> None:
    screen = tv.new_page()
    screen.goto(f"{server.pages}/screen")  # an edge's, where screens are on edges
    code_box = screen.locator("[data-voc-screen-code]")
    screen.wait_for_function(
        "() => /^[A-Z0-9]{3}-[A-Z0-9]{3}$/.test("
        "document.querySelector('[data-voc-screen-code]').textContent)",
        timeout=10_000 * UNIT,
    )
    code = code_box.text_content() or ""
    screen.screenshot(path=str(SHOTS / "screen-code.png"))
    assert axe_violations(screen) == []

    console = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    try:
        page = console.new_page()
        page.goto(f"{server.http}/console/screens")  # to the sign-in, then back
        page.fill("#email", "ann@example.com")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_function(
            "() => document.querySelector('[data-voc-waiting]').textContent.includes('1 new screen')",
            timeout=10_000 * UNIT,
        )
        page.fill("#screen-code", code.lower())
        page.fill("#screen-name", "Lobby TV")
        page.fill("#screen-location", "Berlin, floor 1")
        page.select_option("#screen-feed", "lobby")
        page.fill("#screen-tz", "Europe/Berlin")
        page.click("text=Add a time slot")
        page.locator(".slot [data-part=feed]").select_option("all")
        page.click("[data-voc-submit]")
        page.wait_for_selector("text=Lobby TV", timeout=10_000 * UNIT)

        screen.wait_for_url("**/display/lobby?token=vocd_*", timeout=10_000 * UNIT)
        screen.wait_for_function(
            f"() => [...({WIDGET}?.shadowRoot?.querySelectorAll('.text') || [])]"
            ".some(e => e.textContent.includes('coffee machine'))",
            timeout=10_000 * UNIT,
        )
        reader = {"Authorization": f"Bearer {token_for(store, 'r@example.com', 'read')}"}
        deadline = time.monotonic() + 20 * UNIT
        while time.monotonic() < deadline:
            [listed] = httpx.get(f"{server.http}/api/v1/screens", headers=reader).json()
            if listed["status"] == "online" and listed["showing"]:
                break
            time.sleep(0.2)
        assert listed["status"] == "online"
        assert listed["showing"]["feed"] == "lobby"
        assert len(listed["schedule"]) == 1 and listed["timezone"] == "Europe/Berlin"

        page.reload()
        page.wait_for_selector("text=online", timeout=10_000 * UNIT)
        page.screenshot(path=str(SHOTS / "console-screens.png"), full_page=True)
        assert axe_violations(page) == []

        page.once("dialog", lambda d: d.accept())
        page.click("button[aria-label='Remove Lobby TV']")
        screen.wait_for_url("**/screen", timeout=60_000 * UNIT)  # dark, then a new code
        screen.wait_for_function(
            "() => /^[A-Z0-9]{3}-[A-Z0-9]{3}$/.test("
            "document.querySelector('[data-voc-screen-code]')?.textContent || '')",
            timeout=10_000 * UNIT,
        )
        assert screen.locator("[data-voc-screen-code]").text_content() != code
    finally:
        console.close()
