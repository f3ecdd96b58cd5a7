"""The console in real Chromium: sign in, curate by keyboard, see it on an embed page in a
second browser, undo, sign out; screenshots of each page, and axe-core on every page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import PASSWORD, UNIT, Running, add, make_user, serving
from tests.web.conftest import SHOTS, axe_violations
from ticker.feeds import Feed, FeedFilter
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store

pytestmark = pytest.mark.browser
WIDGET = "document.querySelector('voc-ticker')"
PENDING = "Shit service at the Leeds store, Mira was rude"
COMMENTS = [
    Verbatim(
        "support",
        "The technician was friendly and fixed it fast. Thank you!",
        "g1",
        5,
        "csat5",
        meta={"region": "EMEA", "question": "Anything else to tell us?"},
    ),
    Verbatim("support", "Delivery was late and nobody called.", "b1", 2, "csat5"),
    Verbatim("retail", PENDING, "u1", 1, "stars5", meta={"store": "Leeds"}),
    Verbatim("nps", "Love the new app, so easy to track my order", "g2", 10, "nps"),
    Verbatim("nps", 'Great <img src=x onerror="window.__xss=1"> app', "x1", 9, "nps"),
]


@pytest.fixture
def console(settings: Settings, store: Store, tagger: Tagger) -> Iterator[Running]:
    add(store, tagger, *COMMENTS)
    make_user(store, "ann@example.com", "admin")
    with serving(settings) as server:
        yield server


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    # No service worker (/display registers one): requests it would see, Playwright's routes
    # (the axe script) could not, and these tests are not about going offline.
    made = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    yield made
    made.close()


def signed_in(context: BrowserContext, server: Running) -> Page:
    page = context.new_page()
    page.goto(f"{server.http}/console")
    page.fill("#email", "ann@example.com")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".card", timeout=10_000 * UNIT)
    page.wait_for_function("() => document.querySelector('.live.on')", timeout=10_000 * UNIT)
    return page


@contextmanager
def curating_beside_a_display(
    console: Running, browser: Browser, context: BrowserContext, comment: str
) -> Iterator[tuple[Page, Page]]:
    """The queue (shown comments, `comment` current) and a 1080p /display of the same feed."""
    queue = signed_in(context, console)
    queue.click("text=Shown")
    queue.wait_for_function("() => document.querySelectorAll('.card').length === 4")
    queue.locator(".card", has_text=comment).click(position={"x": 5, "y": 5})
    tv = browser.new_context(viewport={"width": 1920, "height": 1080}, service_workers="block")
    try:
        display = tv.new_page()
        display.goto(f"{console.http}/display/all")
        display.wait_for_function(
            f"() => {WIDGET}?.shadowRoot?.querySelector('.item')", timeout=10_000 * UNIT
        )
        yield queue, display
    finally:
        tv.close()


def widget_texts(page: Page) -> list[str]:
    return page.evaluate(
        f"[...{WIDGET}.shadowRoot.querySelectorAll('.item .text')].map(e => e.textContent)"
    )


def wait_on_screen(page: Page, condition: str) -> None:
    """Wait until the embed page's comments satisfy a JS condition on `texts`."""
    page.wait_for_function(
        f"() => {{ const r = {WIDGET}?.shadowRoot; if (!r) return false;"
        " const texts = [...r.querySelectorAll('.item .text')].map(e => e.textContent);"
        f" return {condition}; }}",
        timeout=5_000 * UNIT,
    )


def test_curate_by_keyboard_and_see_it_on_screens(
    console: Running, browser: Browser, context: BrowserContext
) -> None:
    """Approve with `a`, mask with `m`, undo with `u`: each reaches an embed page (how soon:
    `python -m bench.reach`, in the README)."""
    queue = signed_in(context, console)
    cards = queue.locator(".card")
    assert cards.count() == 1 and PENDING in cards.first.inner_text()
    screen_context = browser.new_context(viewport={"width": 1280, "height": 400})
    try:
        screen = screen_context.new_page()
        screen.goto(f"{console.http}/embed/all")
        wait_on_screen(screen, "texts.length > 0")
        assert PENDING not in widget_texts(screen)

        queue.keyboard.press("a")
        wait_on_screen(screen, f"texts.includes({PENDING!r})")

        # approved, so no longer waiting: the pending view empties
        queue.wait_for_function("() => document.querySelectorAll('.card').length === 0")
        queue.click("text=All")
        queue.locator(".card", has_text="Mira").wait_for(timeout=5_000 * UNIT)
        queue.locator(".card", has_text="Mira").click(position={"x": 5, "y": 5})
        queue.evaluate(
            """() => { const t = [...document.querySelectorAll('.card .text')]
              .find(e => e.textContent.includes('Mira')).firstChild;
              const at = t.nodeValue.indexOf('Mira'); const r = document.createRange();
              r.setStart(t, at); r.setEnd(t, at + 4);
              getSelection().removeAllRanges(); getSelection().addRange(r); }"""
        )
        queue.keyboard.press("m")
        queue.wait_for_selector(".card .text mark[data-label=masked]", timeout=5_000 * UNIT)
        wait_on_screen(screen, "texts.some(t => t.includes('[masked] was rude'))")
        assert "Mira" not in " ".join(widget_texts(screen))
        queue.screenshot(path=SHOTS / "console-queue-masked.png")

        queue.keyboard.press("u")
        wait_on_screen(screen, "texts.some(t => t.includes('Mira was rude'))")
        queue.keyboard.press("u")  # the approval: no longer the latest event on it, so refused
        queue.wait_for_selector("[data-voc-toast].error", timeout=5_000 * UNIT)
        assert "no longer the latest" in queue.inner_text("[data-voc-toast]")
        assert PENDING in widget_texts(screen)
    finally:
        screen_context.close()
    queue.click("text=Sign out")
    try:
        queue.wait_for_url("**/console/signin?signed_out=1", timeout=30_000 * UNIT)
    except PlaywrightTimeout:  # say where it went instead (once seen in CI, not reproduced)
        pytest.fail(f"not signed out: at {queue.url}: {queue.inner_text('body')[:300]}")
    queue.goto(f"{console.http}/console")
    assert "/console/signin" in queue.url


def test_keys_move_select_and_explain(console: Running, context: BrowserContext) -> None:
    """j/k move between cards, x selects for a bulk action, ? lists the keys."""
    queue = signed_in(context, console)
    queue.click("text=Shown")
    queue.wait_for_function("() => document.querySelectorAll('.card').length === 4")
    queue.keyboard.press("j")
    assert queue.evaluate("document.querySelector('.card.current').dataset.index") == "1"
    queue.keyboard.press("x")
    queue.keyboard.press("j")
    queue.keyboard.press("x")
    assert queue.inner_text("[data-voc-selected]") == "2 selected"
    queue.click("[data-bulk=all]")
    queue.wait_for_function(
        "() => document.querySelector('[data-voc-selected]').textContent === '4 selected'"
    )
    queue.keyboard.press("?")
    assert queue.is_visible("[data-voc-keys]")
    queue.keyboard.press("Escape")
    hostile = queue.locator(".card", has_text="onerror")
    assert hostile.count() == 1 and queue.evaluate("window.__xss") is None


@pytest.mark.parametrize(
    "path",
    [
        "/console",
        "/console/feeds",
        "/console/actions",
        "/console/log",
        "/console/sources",
        "/console/users",
    ],
)
def test_console_pages_look_right_and_pass_axe(
    console: Running, context: BrowserContext, path: str
) -> None:
    """Each page, saved as a picture to look at, with no serious or critical axe finding."""
    page = signed_in(context, console)
    if path != "/console":
        page.goto(console.http + path)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    name = "console-" + (path.rsplit("/", 1)[-1] if path != "/console" else "queue")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=path != "/console")
    assert axe_violations(page) == []
    page.emulate_media(color_scheme="dark")
    assert axe_violations(page) == []


def test_the_sign_in_page_looks_right_and_passes_axe(
    console: Running, context: BrowserContext
) -> None:
    """The first thing a curator sees, with a wrong password's message."""
    page = context.new_page()
    page.goto(f"{console.http}/console/signin")
    page.fill("#email", "ann@example.com")
    page.fill("#password", "not the right one")
    page.click("button[type=submit]")
    page.wait_for_selector("[role=alert]")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "console-signin.png")
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", ["/", "/embed/all", "/display/all"])
def test_public_pages_pass_axe(console: Running, context: BrowserContext, path: str) -> None:
    """The pages every employee sees: no serious or critical accessibility finding."""
    page = context.new_page()
    page.goto(console.http + path)
    page.wait_for_timeout(1000)
    assert axe_violations(page) == []


def test_the_audit_finds_what_it_should(console: Running, context: BrowserContext) -> None:
    """axe really runs: an image without a text alternative is reported."""
    page = context.new_page()
    page.goto(f"{console.http}/console/signin")
    page.evaluate("() => document.body.append(document.createElement('img'))")
    assert "image-alt" in {v["id"] for v in axe_violations(page)}


def test_spotlight_takes_over_the_display_and_returns(
    console: Running, browser: Browser, context: BrowserContext
) -> None:
    """`s` on a comment: every display of the feed shows it large; `u` ends it."""
    with curating_beside_a_display(console, browser, context, "technician") as (queue, display):
        queue.keyboard.press("s")
        queue.click("[data-voc-spotlight] button[value=ok]")
        spot = f"{WIDGET}.shadowRoot.querySelector('.spot')"
        display.wait_for_function(
            f"() => !{spot}.hidden && {spot}.textContent.includes('technician')",
            timeout=5_000 * UNIT,
        )
        display.wait_for_timeout(300)
        display.screenshot(path=SHOTS / "display-spotlight.png")
        queue.keyboard.press("u")
        display.wait_for_function(f"() => {spot}.hidden", timeout=5_000 * UNIT)


def test_the_queue_on_a_tablet_and_in_the_dark(console: Running, browser: Browser) -> None:
    """At a tablet's width the filters go above the list; dark mode follows the system."""
    tablet = browser.new_context(
        viewport={"width": 820, "height": 1180}, color_scheme="dark", service_workers="block"
    )
    try:
        page = signed_in(tablet, console)
        page.wait_for_timeout(300)
        page.screenshot(path=SHOTS / "console-queue-tablet-dark.png")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 820, f"the page scrolls sideways ({width} px)"
        assert axe_violations(page) == []
    finally:
        tablet.close()


def test_a_praise_wall_is_flagged_on_the_feeds_page(
    console: Running, store: Store, context: BrowserContext
) -> None:
    """A feed that lets only praise through shows its meter against what customers said."""
    store.save_feed(Feed("praise", "Only praise", FeedFilter(buckets=("good",))))
    page = signed_in(context, console)
    page.goto(f"{console.http}/console/feeds")
    wall = page.locator(".feed-card", has_text="Only praise").locator(".wall")
    wall.wait_for(timeout=5_000 * UNIT)
    assert wall.is_visible()
    assert page.locator(".feed-card", has_text="All comments").locator(".wall").is_hidden()
    said = page.locator(".feed-card", has_text="Only praise").locator("[data-mix=received]")
    assert "bad" in (said.get_attribute("aria-label") or "")
    page.screenshot(path=SHOTS / "console-feeds.png", full_page=True)


def test_you_said_we_did_reaches_the_screens_after_its_comment(
    console: Running, browser: Browser, context: BrowserContext
) -> None:
    """`w` on a comment, the note written: screens show it right after that comment."""
    with curating_beside_a_display(console, browser, context, "Delivery was late") as (
        queue,
        display,
    ):
        queue.keyboard.press("w")
        queue.fill("#action-said", "Deliveries came without warning.")
        queue.fill("#action-did", "An SMS an hour before every delivery, since March.")
        queue.fill("#action-owner", "Logistics")
        queue.click("[data-voc-action] button[value=ok]")
        order = (
            f"() => [...{WIDGET}.shadowRoot.querySelectorAll('.track .item')]"
            ".map(e => e.dataset.bucket + ':' + e.querySelector('.text').textContent)"
        )
        display.wait_for_function(
            f"() => ({order})().some(t => t.startsWith('action:'))", timeout=5_000 * UNIT
        )
        shown = display.evaluate(order)
        at = next(i for i, t in enumerate(shown) if t.startswith("action:"))
        assert "Delivery was late" in shown[at - 1]
        assert "We did: An SMS an hour before every delivery" in shown[at]
        queue.goto(f"{console.http}/console/actions")
        queue.locator("td", has_text="Deliveries came without warning.").wait_for()
        queue.screenshot(path=SHOTS / "console-actions.png")
