"""The widget and pages in real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import UNIT, Running, add, serving, start_server
from tests.web.conftest import SHOTS
from ticker import curation
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store

pytestmark = pytest.mark.browser

HOSTILE = (
    'Great <img src=x onerror="window.__xss=1"> service <script>window.__xss=2</script> &lt;b&gt;'
)
COMMENTS = [
    Verbatim(
        "support", "The technician was friendly and fixed it fast. Thank you!", "g1", 5, "csat5"
    ),
    Verbatim("support", "Delivery was late and nobody called.", "b1", 2, "csat5"),
    Verbatim("support", "Worst company ever. Awful, useless, I hate you.", "u1", 1, "csat5"),
    Verbatim("nps", "Love the new app, so easy to track my order 😀", "g2", 10, "nps"),
    Verbatim("nps", "Très bien, livraison rapide, merci !", "g3", 9, "nps"),
    Verbatim("reviews", "The fridge arrived dented and the refund was slow.", "b2", 2, "stars5"),
]
WIDGET = "document.querySelector('voc-ticker')"


@pytest.fixture(params=["http-port", "stream-port"])
def live(
    request: pytest.FixtureRequest, settings: Settings, store: Store, tagger: Tagger
) -> Iterator[Running]:
    """A server over the sample comments, once per stream server."""
    add(store, tagger, *COMMENTS)
    yield from start_server(settings, request.param)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # Without the pages' CSP: the widget must be safe on intranet pages that have none.
    context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
    opened = context.new_page()
    dialogs: list[str] = []
    opened.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield opened
    context.close()
    assert dialogs == [], f"a script ran: {dialogs}"


def item_ids(page: Page) -> list[str]:
    return page.evaluate(
        f"[...{WIDGET}.shadowRoot.querySelectorAll('.item')].map(e => e.dataset.id)"
    )


def wait_for_items(page: Page) -> float:
    """Milliseconds from navigation start to the first comment in the widget."""
    page.wait_for_function(
        f"() => {WIDGET}?.shadowRoot?.querySelector('.item')",  # a function: no eval under CSP
        timeout=10_000 * UNIT,
    )
    return float(page.evaluate("performance.now()"))


def test_embed_page_shows_comments_on_load(live: Running, page: Page) -> None:
    """The iframe page connects and shows the feed's comments with their bucket labels."""
    page.goto(f"{live.http}/embed/all")
    first = wait_for_items(page)
    print(f"first comment on screen {first:.0f} ms after navigation start")
    page.wait_for_function(f"() => {WIDGET}.dataset.state === 'live'", timeout=5_000 * UNIT)
    labels = page.evaluate(
        f"[...{WIDGET}.shadowRoot.querySelectorAll('.lab')].map(e => e.textContent)"
    )
    assert {"👍 Good", "👎 Bad", "⚠ Ugly"} <= {label.strip() for label in labels}


def test_hostile_comment_renders_as_literal_text(
    live: Running, page: Page, store: Store, tagger: Tagger
) -> None:
    """Markup in a comment is shown as the characters the customer typed; no script runs."""
    [vid] = add(store, tagger, Verbatim("support", HOSTILE, "x1", 5, "csat5"))
    curation.pin(store, vid, "test")
    page.goto(f"{live.http}/embed/all")
    page.wait_for_function(
        f"{WIDGET}?.shadowRoot?.querySelector('[data-id=\"{vid}\"]')", timeout=10_000 * UNIT
    )
    text = page.evaluate(
        f"{WIDGET}.shadowRoot.querySelector('[data-id=\"{vid}\"] .text').textContent"
    )
    assert text == HOSTILE
    injected = page.evaluate(f"{WIDGET}.shadowRoot.querySelectorAll('img, script, svg').length")
    assert injected == 0 and page.evaluate("window.__xss") is None


def test_a_hidden_comment_disappears_live(live: Running, page: Page, store: Store) -> None:
    """`hide` removes the comment from a page that is already showing it."""
    page.goto(f"{live.http}/embed/all")
    wait_for_items(page)
    victim = item_ids(page)[0]
    curation.hide(store, victim, "dana")
    page.wait_for_function(
        f"!{WIDGET}.shadowRoot.querySelector('[data-id=\"{victim}\"]')", timeout=5_000 * UNIT
    )
    assert victim not in item_ids(page)


def transforms(page: Page, samples: int = 5, every: float = 0.2) -> list[str]:
    seen = []
    for _ in range(samples):
        seen.append(
            page.evaluate(
                f"getComputedStyle({WIDGET}.shadowRoot.querySelector('.track')).transform"
            )
        )
        time.sleep(every)
    return seen


def test_the_ticker_scrolls(live: Running, page: Page) -> None:
    """Without a preference for less motion, the strip moves."""
    page.goto(f"{live.http}/embed/all")
    wait_for_items(page)
    assert len(set(transforms(page))) > 1


def test_reduced_motion_shows_one_comment_without_moving(live: Running, browser: Browser) -> None:
    """With prefers-reduced-motion nothing scrolls; one comment is shown at a time."""
    context = browser.new_context(reduced_motion="reduce", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live.http}/embed/all")
    wait_for_items(page)
    assert len(set(transforms(page))) == 1
    visible = page.evaluate(
        f"[...{WIDGET}.shadowRoot.querySelectorAll('.item')].filter(e => getComputedStyle(e).display !== 'none').length"
    )
    assert visible == 1
    context.close()


def test_pause_button_stops_the_crawl(live: Running, page: Page) -> None:
    """The visible pause button stops the movement and says so (WCAG 2.2.2)."""
    page.goto(f"{live.http}/embed/all")
    wait_for_items(page)
    page.mouse.move(5, 700)  # away from the strip, so hover does not pause it
    button = page.locator("voc-ticker button.pp")
    button.click()
    page.mouse.move(5, 700)
    assert button.get_attribute("aria-pressed") == "true"
    assert button.get_attribute("aria-label") == "Play ticker"
    assert len(set(transforms(page))) == 1


def test_keeps_the_last_playlist_when_the_server_goes(
    settings: Settings, store: Store, tagger: Tagger, browser: Browser
) -> None:
    """A display keeps showing comments through an outage, marked as reconnecting."""
    add(store, tagger, *COMMENTS)
    page = browser.new_page(bypass_csp=True)
    with serving(settings) as running:
        page.goto(f"{running.http}/embed/all")
        wait_for_items(page)
        before = item_ids(page)
    page.wait_for_function(f"() => {WIDGET}.dataset.state !== 'live'", timeout=10_000 * UNIT)
    assert item_ids(page) == before
    page.close()


@pytest.mark.parametrize(
    ("path", "name"), [("/", "index"), ("/embed/all", "embed"), ("/display/all", "display")]
)
def test_screenshots(live: Running, page: Page, path: str, name: str) -> None:
    """Screenshots of the pages as people see them, saved for a human to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(live.http + path)
    wait_for_items(page)
    page.wait_for_timeout(500)
    page.screenshot(path=SHOTS / f"{name}.png")
    assert (SHOTS / f"{name}.png").stat().st_size > 10_000


def test_a_display_reloaded_while_the_server_is_down_still_shows_comments(
    settings: Settings, store: Store, tagger: Tagger, browser: Browser
) -> None:
    """The service worker keeps the page and its scripts; the widget, its last playlist."""
    add(store, tagger, *COMMENTS)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        tv = context.new_page()
        with serving(settings) as server:
            tv.goto(f"{server.http}/display/all")
            wait_for_items(tv)
            tv.wait_for_function(
                "() => navigator.serviceWorker.controller !== null", timeout=10_000 * UNIT
            )
            tv.reload()  # the worker now holds what this load fetched
            wait_for_items(tv)
            before = item_ids(tv)
        tv.reload()  # the server is gone: no socket answers on its port
        wait_for_items(tv)
        assert set(item_ids(tv)) == set(before)
        assert tv.evaluate(f"{WIDGET}.dataset.state") != "live"
        assert "VoC Ticker" in tv.title()
    finally:
        context.close()


def test_the_cards_layout_shows_one_comment_large_and_the_next_ones(
    live: Running, browser: Browser
) -> None:
    """/display?layout=cards: one comment at a time, a strip of what comes next; a picture."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        tv = context.new_page()
        tv.goto(f"{live.http}/display/all?layout=cards")
        wait_for_items(tv)
        root = f"{WIDGET}.shadowRoot"
        tv.wait_for_function(f"() => {root}.querySelector('.next').children.length >= 2")
        shown = tv.evaluate(
            f"[...{root}.querySelectorAll('.item')].filter(e => e.offsetParent).length"
        )
        assert shown == 1
        assert tv.evaluate(f"getComputedStyle({root}.querySelector('.next')).display") == "flex"
        tv.wait_for_timeout(300)
        tv.screenshot(path=SHOTS / "display-cards.png")
        assert tv.evaluate(f"{WIDGET}.getAttribute('layout')") == "cards"
        tv.goto(f"{live.http}/display/all?layout=%22%3E%3Cscript%3E")
        assert tv.evaluate(f"{WIDGET}.getAttribute('layout')") is None  # the feed's own
    finally:
        context.close()


def test_a_feed_set_to_cards_turns_its_screens_into_cards(
    live: Running, store: Store, browser: Browser
) -> None:
    """The layout is a feed setting too: changed, open displays follow without a reload."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        tv = context.new_page()
        tv.goto(f"{live.http}/display/all")
        wait_for_items(tv)
        root = f"{WIDGET}.shadowRoot.querySelector('.r')"
        assert not tv.evaluate(f"{root}.classList.contains('cards')")
        feed = store.feed("all")
        store.save_feed(replace(feed, display=replace(feed.display, layout="cards")))
        tv.wait_for_function(f"() => {root}.classList.contains('cards')", timeout=5_000 * UNIT)
    finally:
        context.close()
