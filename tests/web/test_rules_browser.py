"""The rules page in real Chromium: an admin writes a rule with its live preview, orders rules
by keyboard, and the next comment it holds says so on its queue card; axe on the page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import PASSWORD, UNIT, Running, add, make_user, serving
from tests.web.conftest import SHOTS, axe_violations
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store

pytestmark = pytest.mark.browser
COMMENTS = [
    Verbatim("support", "I was charged twice and still wait for my refund", "1", 2, "csat5"),
    Verbatim("support", "The technician was friendly and fixed it fast", "2", 5, "csat5"),
    Verbatim("app", "Refund came quickly, thanks", "3", 9, "nps", meta={"region": "EMEA"}),
    Verbatim("app", 'Nice <img src=x onerror="window.__xss=1"> refund', "4", 8, "nps"),
]


@pytest.fixture
def rules_page(
    settings: Settings, store: Store, tagger: Tagger, browser: Browser
) -> Iterator[tuple[Running, Page]]:
    add(store, tagger, *COMMENTS)
    make_user(store, "ann@example.com", "admin")
    with serving(settings) as server:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, service_workers="block"
        )
        try:
            page = context.new_page()
            page.goto(f"{server.http}/console/signin?next=/console/rules")
            page.fill("#email", "ann@example.com")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_selector("[data-voc-ruleform]", timeout=10_000 * UNIT)
            yield server, page
        finally:
            context.close()


def names(page: Page) -> list[str]:
    found: list[str] = page.eval_on_selector_all(
        "[data-voc-rules] .rule strong", "nodes => nodes.map(n => n.textContent)"
    )
    return found


def test_an_admin_adds_orders_and_removes_rules(
    rules_page: tuple[Running, Page], store: Store, tagger: Tagger
) -> None:
    """The preview follows the form, a save lists the rule, Alt+arrows reorder it, the next
    comment it holds waits with the rule's reason on its card, and a delete asks first."""
    server, page = rules_page
    page.fill("#rule-name", "Refunds")
    page.fill("#rule-reason", "finance answers refunds")
    page.fill("#rule-words", "refund")
    preview = "[data-voc-previewcount]"
    page.wait_for_function(
        f"() => document.querySelector('{preview}').textContent.startsWith('Would have matched 3 ')",
        timeout=5_000 * UNIT,
    )
    assert page.locator("[data-voc-samples] li").count() == 3
    assert page.evaluate("window.__xss") is None  # comment text went in as text
    page.fill("#rule-meta", "region=EMEA")
    page.wait_for_function(
        f"() => document.querySelector('{preview}').textContent.startsWith('Would have matched 1 ')",
        timeout=5_000 * UNIT,
    )
    page.fill("#rule-meta", "")
    page.click("[data-voc-saverule]")
    page.wait_for_function("() => document.querySelectorAll('[data-voc-rules] .rule').length === 1")

    page.click("[data-voc-newrule]")
    page.fill("#rule-name", "Rivals")
    page.select_option("#rule-action", "hide")
    page.fill("#rule-pattern", "acme(")
    page.wait_for_function(
        f"() => document.querySelector('{preview}').textContent.includes('not a valid regular')",
        timeout=5_000 * UNIT,
    )
    page.fill("#rule-pattern", r"acme\s*corp")
    page.click("[data-voc-saverule]")
    page.wait_for_function("() => document.querySelectorAll('[data-voc-rules] .rule').length === 2")
    assert names(page) == ["Refunds", "Rivals"]

    page.focus("[aria-label='Move Rivals up']")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('[data-voc-rules] .rule strong').textContent === 'Rivals'"
    )
    page.keyboard.press("Alt+ArrowDown")  # focus stayed on the moved rule
    page.wait_for_function(
        "() => document.querySelector('[data-voc-rules] .rule strong').textContent === 'Refunds'"
    )
    page.click("[aria-label='Edit Refunds']")
    page.fill("#rule-words", "refund\ncharged twice")
    page.fill("#rule-sources", "support")
    page.wait_for_function(
        f"() => document.querySelector('{preview}').textContent.startsWith('Would have matched 1 ')",
        timeout=5_000 * UNIT,
    )
    page.evaluate("window.scrollTo(0, 0)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "console-rules.png", full_page=True)
    assert axe_violations(page) == []
    page.emulate_media(color_scheme="dark")
    assert axe_violations(page) == []

    vid = add(store, tagger, Verbatim("support", "Where is my refund?", "5", 3, "csat5"))[0]
    page.goto(f"{server.http}/console")
    card = page.locator(f".card[data-id='{vid}']")
    card.wait_for(timeout=5_000 * UNIT)
    assert "held by rule Refunds: finance answers refunds" in card.inner_text()

    page.goto(f"{server.http}/console/rules")
    page.wait_for_function("() => document.querySelectorAll('[data-voc-rules] .rule').length === 2")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[aria-label='Delete Rivals']")
    page.wait_for_function("() => document.querySelectorAll('[data-voc-rules] .rule').length === 1")
    assert names(page) == ["Refunds"]
