"""The Outlets page in real Chromium: each destination's health, a failing one's error, and
"Send digest now" delivering to the fake Teams; axe-core finds nothing serious."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import UNIT, Running, add, make_user, serving
from tests.fakes.api import running
from tests.fakes.slack import FakeSlack
from tests.fakes.teams import FakeTeams
from tests.web.conftest import SHOTS, axe_violations
from ticker.accounts import Accounts
from ticker.judge import Judge
from ticker.outlets import Outlet, Schedule
from ticker.records import Verbatim
from ticker.redact import Redactor
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store
from web.auth import COOKIE

pytestmark = pytest.mark.browser
OUTLETS = {
    "cx-slack": Outlet("cx-slack", "slack", "VOC_TEST_SLACK", instant_ugly=True),
    "cx-teams": Outlet("cx-teams", "teams", "VOC_TEST_TEAMS", digest=Schedule(0, 9, 0)),
}


@pytest.fixture
def console(
    settings: Settings, store: Store, tagger: Tagger, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Running, FakeSlack, FakeTeams]]:
    add(store, tagger, Verbatim("s", "Worst company ever, useless and rude", "u1", 1, "csat5"))
    make_user(store, "ann@example.com", "admin")
    slack, teams = FakeSlack(), FakeTeams()
    with running(slack) as s, running(teams) as t:
        monkeypatch.setenv("VOC_TEST_SLACK", s + slack.path)
        monkeypatch.setenv("VOC_TEST_TEAMS", t + teams.path)
        with serving(settings, outlets=OUTLETS, judge=Judge(tagger, Redactor())) as server:
            yield server, slack, teams


def outlets_page(browser: Browser, server: Running, store: Store) -> Page:
    """The page, signed in with a session made in the store (the sign-in form has its tests)."""
    secret, _ = Accounts(store).start_session("ann@example.com", "127.0.0.1", 1.0)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies([{"name": COOKIE, "value": secret, "url": server.http}])
    page = context.new_page()
    page.goto(f"{server.http}/console/outlets")
    page.wait_for_selector("tr[data-outlet]", timeout=10_000 * UNIT)
    return page


def test_send_a_digest_now_and_see_a_failing_outlet(
    console: tuple[Running, FakeSlack, FakeTeams], browser: Browser, store: Store
) -> None:
    """A 404 from Teams shows as failing with its words; a second try reaches the fake."""
    server, _, teams = console
    teams.queued.append(404)
    page = outlets_page(browser, server, store)
    row = page.locator("tr[data-outlet=cx-teams]")
    assert "weekly mon 09:00 (UTC)" in row.inner_text()
    assert "each new ugly comment" in page.locator("tr[data-outlet=cx-slack]").inner_text()
    send = row.get_by_role("button", name="Send digest now: cx-teams")
    send.click()
    page.wait_for_function(
        "() => document.querySelector('tr[data-outlet=cx-teams]').textContent"
        ".includes('Teams answered 404: ')",
        timeout=10_000 * UNIT,
    )
    assert "failing" in row.inner_text() and "WorkflowNotFound" in row.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "console-outlets.png", full_page=True)
    assert axe_violations(page) == []
    page.emulate_media(color_scheme="dark")
    assert axe_violations(page) == []
    send.click()
    page.wait_for_function(
        "() => document.querySelector('tr[data-outlet=cx-teams] .status-healthy')",
        timeout=10_000 * UNIT,
    )
    assert len(teams.accepted) == 1
