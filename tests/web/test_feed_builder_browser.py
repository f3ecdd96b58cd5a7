"""The feed builder in real Chromium: an admin builds a feed by keyboard and form, with the
preview following the typing, the shares' error beside them, the praise-wall confirmation and
the embed snippets; a curator is told what they may not do; axe in light and dark."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import PASSWORD, UNIT, Running, add, make_user, serving
from tests.web.conftest import SHOTS, axe_violations
from ticker.curation import approve
from ticker.feeds import Feed, FeedFilter
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store

pytestmark = pytest.mark.browser
WAIT = 10_000 * UNIT
COMMENTS = [
    Verbatim("support", "The engineer was brilliant, thank you", "g1", 5, "csat5"),
    Verbatim("support", "Quick and friendly help with my router", "g2", 4, "csat5"),
    Verbatim("support", "Delivery late again, nobody called me", "b1", 2, "csat5"),
    Verbatim("support", "Shit support, rude and useless", "u1", 1, "csat5"),
    Verbatim("retail", "Lovely staff at the Leeds store", "r1", 9, "nps", meta={"store": "Leeds"}),
    Verbatim(
        "retail", "The queue at the till took forever", "r2", 4, "nps", meta={"store": "York"}
    ),
]


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, tagger: Tagger
) -> Iterator[tuple[Running, Store]]:
    folder: Path = tmp_path_factory.mktemp("builder-browser")
    settings = Settings(db=folder / "voc.db", watch_seconds=0.05, heartbeat_seconds=20.0)
    store = Store(settings.db)
    for vid in add(store, tagger, *COMMENTS):
        if store.get(vid).state == "pending":
            approve(store, vid, "test")
    store.save_feed(Feed("support", "Support", FeedFilter(sources=("support",))))
    store.save_feed(Feed("quiet", "Japanese", FeedFilter(languages=("ja",))))
    make_user(store, "ann@example.com", "admin")
    make_user(store, "cy@example.com", "curator", ("support",))
    try:
        with serving(settings) as server:
            yield server, store
    finally:
        store.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    yield made
    made.close()


def signed_in(context: BrowserContext, server: Running, email: str, path: str) -> Page:
    page = context.new_page()
    page.goto(f"{server.http}/console/signin?next={path}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}", timeout=WAIT)
    return page


def test_an_admin_builds_a_feed_with_a_live_preview(
    site: tuple[Running, Store], context: BrowserContext
) -> None:
    """New feed → sources, shares, layout → Ctrl+S; a praise wall needs a reason; Esc leaves."""
    server, store = site
    page = signed_in(context, server, "ann@example.com", "/console/feeds")
    page.click("text=New feed")
    page.wait_for_url("**/console/feeds/+new", timeout=WAIT)
    items = page.locator("[data-voc-preview-items] li")
    expect(items).to_have_count(6, timeout=WAIT)  # every source until one is ticked
    page.fill("#f-name", "support-desk")
    page.fill("#f-title", "Support desk")
    page.check("input[name=source][value=support]")
    expect(items).to_have_count(4, timeout=WAIT)
    page.fill("#f-shares-ugly", "5")
    shares = page.locator("[data-error-for='mix.shares']")
    expect(shares).to_contain_text("add up to 90 %", timeout=WAIT)
    expect(page.locator("#f-shares-good")).to_have_attribute("aria-invalid", "true")
    page.fill("#f-shares-ugly", "15")
    expect(shares).to_be_hidden(timeout=WAIT)
    page.select_option("#f-score-csat5-pick", "4-5")  # happy customers only: nothing negative
    expect(items).to_have_count(2, timeout=WAIT)
    expect(page.locator("[data-voc-preview-wall]")).to_be_visible()
    page.select_option("#f-score-csat5-pick", "")
    page.check("input[name=layout][value=cards]")
    expect(page.locator("#code-iframe")).to_contain_text("/embed/support-desk")
    expect(items).to_have_count(4, timeout=WAIT)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("scrollTo(0, 0)")
    page.screenshot(path=SHOTS / "console-feed-builder.png")
    assert axe_violations(page) == []
    page.emulate_media(color_scheme="dark")
    assert axe_violations(page) == []
    page.emulate_media(color_scheme="light")

    page.keyboard.press("Control+s")
    page.wait_for_url("**/console/feeds/support-desk", timeout=WAIT)
    saved = store.feed("support-desk")
    assert saved.filter.sources == ("support",) and saved.display.layout == "cards"
    assert saved.mix.shares == {"good": 0.5, "bad": 0.35, "ugly": 0.15}

    page.uncheck("input[name=bucket][value=bad]")
    page.uncheck("input[name=bucket][value=ugly]")
    page.keyboard.press("Control+s")
    expect(page.locator("[data-voc-wall]")).to_be_visible(timeout=WAIT)
    assert store.feed("support-desk").filter.buckets == ("good", "bad", "ugly")
    page.fill("#f-wall-reason", "the thank-you screen by the support desk")
    page.click("[data-voc-wall-save]")
    expect(page.locator("[data-voc-wall]")).to_be_hidden(timeout=WAIT)
    assert store.feed("support-desk").filter.buckets == ("good",)
    page.keyboard.press("Escape")
    page.wait_for_url("**/console/feeds", timeout=WAIT)


def test_a_curator_is_told_what_they_may_not_build(
    site: tuple[Running, Store], context: BrowserContext
) -> None:
    """Another feed or a new one: a message, not a form that fails on save."""
    server, _ = site
    page = signed_in(context, server, "cy@example.com", "/console/feeds/all")
    refused = page.locator("[data-voc-refused]")
    expect(refused).to_contain_text("You curate support, not all", timeout=WAIT)
    expect(page.locator("[data-voc-feedform]")).to_be_hidden()
    page.goto(f"{server.http}/console/feeds/+new")
    expect(refused).to_contain_text("Only an admin makes a new feed", timeout=WAIT)
    page.goto(f"{server.http}/console/feeds/support")
    expect(page.locator("#f-title")).to_have_value("Support", timeout=WAIT)
    expect(page.locator("[data-voc-preview-items] li")).to_have_count(4, timeout=WAIT)


def test_a_feed_that_matches_nothing_shows_a_calm_placeholder(
    site: tuple[Running, Store], context: BrowserContext
) -> None:
    """Not a blank strip: the widget says there is nothing to show yet."""
    server, _ = site
    page = context.new_page()
    page.goto(f"{server.http}/embed/quiet")
    said = page.wait_for_function(
        "() => { const e = document.querySelector('voc-ticker')?.shadowRoot?.querySelector('.empty');"
        " return e && e.isConnected && e.checkVisibility() && e.textContent; }",
        timeout=WAIT,
    )
    assert said.json_value().startswith("No comments to show yet.")
