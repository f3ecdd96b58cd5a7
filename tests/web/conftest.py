"""Browser fixtures: Debian's Chromium through Playwright, and axe-core for accessibility."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "tests" / "screenshots"
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core from npm, kept with the tests


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium; in CI a missing browser fails the run instead of skipping.

    Module-scoped: Playwright's sync API runs an event loop in this thread, which must be gone
    before the asyncio tests of other modules start theirs.
    """
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing at /usr/bin/chromium; scripts/test installs it")
        pytest.skip("Chromium is not installed; `bash scripts/test` installs it")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    origin = page.evaluate("location.origin")
    page.route(f"{origin}/__axe.js", lambda route: route.fulfill(path=AXE))  # 'self' to the CSP
    page.add_script_tag(url=f"{origin}/__axe.js")
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
    )
    return found
