"""The `wall` layout, the empty feed's placeholder, display tokens and `voc-now-showing`, in
real headless Chromium against one real server (and a tiny Starlette app that refuses a token)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from playwright.sync_api import Browser, Page
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from tests.conftest import UNIT, Running, add, serve_asgi, serving
from tests.web.conftest import SHOTS, axe_violations
from tests.web.test_browser import COMMENTS as SAMPLE
from ticker import actions, curation, protocol, spotlight
from ticker.feeds import Display, Feed, FeedFilter
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store
from web.pages import STATIC

pytestmark = pytest.mark.browser

ROOT = "document.querySelector('voc-ticker').shadowRoot"
TILES = f"[...{ROOT}.querySelectorAll('.tile')]"
LONG = (
    "I ordered the washing machine in March and was promised delivery within a week. It came "
    "five weeks later, the drum was cracked, the engineer who came to look at it said it could "
    "not be fixed, and since then I have called your support line eleven times, waited on hold "
    "for an hour each time and been promised a call back that never came. I want a refund."
)
COMMENTS = [  # the widget tests' six, and four more: a wall shows six at a time
    *SAMPLE,
    Verbatim("reviews", LONG, "b3", 1, "stars5", meta={"region": "EMEA"}),
    Verbatim("nps", "Great prices and the staff in the shop were lovely.", "g4", 9, "nps"),
    Verbatim(
        "support", "Terrible. Three hours on hold, then cut off. Disgraceful.", "u2", 0, "nps"
    ),
    Verbatim("reviews", "Good value, arrived on time, works well.", "g5", 4, "stars5"),
]
REVOKED = "This screen is no longer allowed to show this feed. Ask your CX team for a new link."
EMPTY = "No comments to show yet. New ones appear here as customers write them."


@dataclass
class Screens:
    """The module's server, over its store: feed `all`, `tv` (a wall) and `quiet` (empty)."""

    server: Running
    store: Store
    tagger: Tagger


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory, tagger: Tagger) -> Iterator[Screens]:
    # A long heartbeat: the tests that move the page's clock on must not trip its watchdog.
    db = tmp_path_factory.mktemp("screens") / "voc.db"
    settings = Settings(db=db, watch_seconds=0.05, heartbeat_seconds=600.0)
    store = Store(settings.db)
    ids = add(store, tagger, *COMMENTS)
    note = {"you_said": "Parcels came without warning.", "we_did": "An SMS an hour before."}
    actions.save(store, "dana", {**note, "owner": "Logistics", "status": "done"}, [ids[1]])
    store.save_feed(Feed("tv", "Office TV", display=Display(layout="wall")))
    store.save_feed(Feed("quiet", "Nothing yet", FeedFilter(sources=("quiet",))))
    with serving(settings) as server:
        yield Screens(server, store, tagger)
    store.close()


@pytest.fixture
def tv(browser: Browser) -> Iterator[Page]:
    """A 1080p screen, without the service worker (these tests are not about going offline)."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, service_workers="block")
    yield context.new_page()
    context.close()


def wall_of(page: Page, url: str) -> list[dict[str, Any]]:
    """Open `url` and wait for a full wall; each tile's id, bucket, label, text and boxes."""
    page.goto(url)
    page.wait_for_function(f"() => {TILES}.length >= 6", timeout=10_000 * UNIT)
    page.wait_for_timeout(200)  # fonts and the line count settle
    return tiles(page)


def tiles(page: Page) -> list[dict[str, Any]]:
    """Each tile on the wall now: its comment, label, labels line, boxes and type sizes."""
    found: list[dict[str, Any]] = page.evaluate(
        f"""{TILES}.map(t => {{
          const box = (e) => {{ const r = e.getBoundingClientRect();
            return {{top: r.top, bottom: r.bottom, left: r.left, right: r.right}}; }};
          const text = t.querySelector('.text');
          return {{id: t.dataset.id, bucket: t.dataset.bucket,
            label: t.querySelector('.lab').textContent, meta: t.querySelector('.meta').textContent,
            text: text.textContent, tile: box(t), box: box(text), meta_box: box(t.querySelector('.meta')),
            px: parseFloat(getComputedStyle(text).fontSize),
            label_px: parseFloat(getComputedStyle(t.querySelector('.lab')).fontSize),
            clamped: text.scrollHeight > text.clientHeight + 2}};
        }})"""
    )
    return found


def step(page: Page, ms: int) -> tuple[list[str], int]:
    """Move the page's clock on; the tiles' ids, and how many tiles fade or animate."""
    page.clock.run_for(ms)
    found: tuple[list[str], int] = page.evaluate(
        f"[{TILES}.map(t => t.dataset.id), {ROOT}.getAnimations().length"
        f" + {TILES}.filter(t => t.classList.contains('out')).length]"
    )
    return found


def test_the_wall_fills_a_1080p_screen_with_legible_labelled_tiles(
    screens: Screens, tv: Page
) -> None:
    """A feed set to `wall`: 3 by 2 tiles, each with its bucket in words and its score's scale,
    type of 30 px and more, long comments clamped inside their tile; axe passes on the dark
    wall and on the light one (`?theme=light`); a picture of each."""
    shown = wall_of(tv, f"{screens.server.http}/display/tv")
    assert len(shown) == 6
    assert len({round(t["tile"]["top"]) for t in shown}) == 2  # two rows of three
    assert len({round(t["tile"]["left"]) for t in shown}) == 3
    words = {"good": "👍 Good", "bad": "👎 Bad", "ugly": "⚠ Ugly", "action": "✔ You said, we did"}
    for t in shown:
        assert t["label"] == words[t["bucket"]]
        assert t["px"] >= 30 and t["label_px"] >= 30
        assert t["tile"]["top"] >= 0 and t["tile"]["bottom"] <= 1080
        assert t["tile"]["left"] <= t["box"]["left"] and t["box"]["bottom"] <= t["meta_box"]["top"]
        assert t["meta_box"]["bottom"] <= t["tile"]["bottom"]
        if t["bucket"] != "action":
            assert re.match(r"(NPS \d+/10|CSAT \d/5|★ \d/5)( · |$)", t["meta"]), t["meta"]
    assert [t["clamped"] for t in shown if t["text"] == LONG] == [True]
    assert {"good", "bad", "ugly"} <= {t["bucket"] for t in shown}
    tv.screenshot(path=SHOTS / "display-wall-dark.png")
    assert axe_violations(tv) == []
    wall_of(tv, f"{screens.server.http}/display/all?layout=wall&theme=light")
    assert tv.evaluate("document.documentElement.className") == "light"
    assert tv.evaluate(f"{ROOT}.querySelector('.r').classList.contains('dark')") is False
    tv.screenshot(path=SHOTS / "display-wall.png")
    assert axe_violations(tv) == []


def test_the_wall_changes_one_tile_at_a_time_and_gives_every_comment_its_turn(
    screens: Screens, tv: Page
) -> None:
    """Tiles keep their places; a turn changes one of them, with a fade; over a cycle every
    playlist item is shown; `voc-now-showing` follows, never twice in a second."""
    tv.clock.install()
    tv.add_init_script(
        "window.told = []; addEventListener('voc-now-showing',"
        " (e) => told.push({at: Date.now(), ...e.detail}))"
    )
    before = [t["id"] for t in wall_of(tv, f"{screens.server.http}/display/tv")]
    playlist = tv.evaluate("document.querySelector('voc-ticker')._items.map(i => i.id)")
    assert len(playlist) > len(before)
    seen, turns, fades = set(before), 0, 0
    for _ in range(240):  # half a second at a time (a fade takes 0.6), up to two minutes
        now, fading = step(tv, 500)
        changed = sum(a != b for a, b in zip(before, now, strict=True))
        assert changed <= 1
        seen.update(now)
        before, turns, fades = now, turns + changed, fades + bool(fading)
        if seen == set(playlist):
            break
    assert seen == set(playlist)
    assert fades >= turns >= len(playlist) - len(before)
    tv.clock.run_for(1_000)  # the last change's event
    told = tv.evaluate("told")
    assert told[-1]["ids"] == before and told[-1]["layout"] == "wall"
    assert told[-1]["feed"] == "tv" and sum(told[-1]["buckets"].values()) == len(before)
    # Playwright's clock can round a millisecond off a timer's wait.
    assert all(b["at"] - a["at"] >= 999 for a, b in itertools.pairwise(told))


def test_reduced_motion_changes_tiles_without_any_animation(screens: Screens, tv: Page) -> None:
    """With prefers-reduced-motion, a turn swaps a tile's comment at once: nothing fades."""
    tv.emulate_media(reduced_motion="reduce")
    tv.clock.install()
    before = [t["id"] for t in wall_of(tv, f"{screens.server.http}/display/tv")]
    now, moving = before, 0
    for _ in range(40):  # up to the longest a tile waits for its turn
        now, fading = step(tv, 500)
        moving += fading
        if now != before:
            break
    assert now != before and moving == 0


def test_a_hide_and_a_spotlight_reach_the_wall(screens: Screens, tv: Page) -> None:
    """A hidden comment's tile takes another comment, the wall stays full; a
    spotlight shows one comment large instead of the grid, then the grid comes back."""
    shown = wall_of(tv, f"{screens.server.http}/display/tv")
    victim = next(t["id"] for t in shown if t["bucket"] == "bad")
    curation.hide(screens.store, victim, "dana")
    tv.wait_for_function(
        f"() => !{TILES}.some(t => t.dataset.id === '{victim}')", timeout=5_000 * UNIT
    )
    assert len(tiles(tv)) == 6
    star = next(t for t in shown if t["bucket"] == "good")
    spotlight.start(screens.store, star["id"], "dana", "tv", 60)
    try:
        tv.wait_for_function(f"() => {ROOT}.querySelector('.spot .item')?.offsetParent")
        assert tv.evaluate(f"{ROOT}.querySelector('.spot .text').textContent") == star["text"]
        assert tv.evaluate(f"{ROOT}.querySelector('.grid').offsetParent") is None
    finally:
        spotlight.end(screens.store, "tv", "dana")
    tv.wait_for_function(f"() => {ROOT}.querySelector('.grid').offsetParent")


def test_an_empty_feed_shows_a_calm_placeholder_until_comments_come(
    screens: Screens, tv: Page
) -> None:
    """No comment to show: a sentence saying so, in every layout; gone when one arrives."""
    pages = {layout: tv.context.new_page() for layout in ("ticker", "cards", "wall")}
    empty = f"{ROOT}.querySelector('.empty')"
    for layout, page in pages.items():
        page.goto(f"{screens.server.http}/display/quiet?layout={layout}")
        page.wait_for_function(
            "() => document.querySelector('voc-ticker').dataset.state === 'live'"
        )
        assert page.evaluate(f"[{empty}.textContent, !!{empty}.offsetParent]") == [EMPTY, True]
    add(
        screens.store,
        screens.tagger,
        Verbatim("quiet", "Lovely staff, thank you.", "q1", 10, "nps"),
    )
    for page in pages.values():
        page.wait_for_function(f"() => !{empty}", timeout=5_000 * UNIT)
    assert pages["wall"].evaluate(f"{TILES}.length") == 1


def test_display_hands_its_token_and_theme_to_the_widget(screens: Screens) -> None:
    """?token= goes to the widget's attribute, escaped; ?theme= is light or else dark."""
    with httpx.Client(base_url=screens.server.http) as client:
        page = client.get("/display/all", params={"token": 'a"b<c', "theme": "light"}).text
        assert 'token="a&quot;b&lt;c"' in page and 'theme="light"' in page
        page = client.get("/display/all", params={"theme": '"><script>'}).text
        assert 'theme="dark"' in page and "token=" not in page and "<script>" not in page
        assert 'token="t1"' in client.get("/embed/all?token=t1").text


@dataclass
class Refusing:
    """A stream that shows two comments until it refuses the token (4403), then falls silent."""

    refused: threading.Event = field(default_factory=threading.Event)
    silent: bool = False
    asked: list[str] = field(default_factory=list)  # each connection's query string

    def app(self) -> Starlette:
        async def page(request: Request) -> HTMLResponse:
            return HTMLResponse(
                '<!doctype html><html lang="en"><title>A screen</title>'
                '<script src="/static/ticker.js" defer></script>'
                '<voc-ticker feed="support" token="s3cret &amp; co" layout="wall"></voc-ticker>'
            )

        async def stream(ws: WebSocket) -> None:
            self.asked.append(ws.scope["query_string"].decode())
            await ws.accept()
            if not self.refused.is_set():
                await ws.send_text(SNAPSHOT)
                await asyncio.to_thread(self.refused.wait)
            with contextlib.suppress(WebSocketDisconnect):  # the page may have gone already
                if self.silent:
                    await ws.receive()  # open, saying nothing, until the page goes
                else:
                    await ws.close(4403)

        return Starlette(
            routes=[
                Route("/", page),
                WebSocketRoute("/ws/feeds/{feed}", stream),
                Mount("/static", StaticFiles(directory=STATIC)),
            ]
        )


SNAPSHOT = protocol.encode(
    protocol.snapshot(
        "support",
        "Support",
        {
            "speed": 60,
            "direction": "left",
            "theme": "light",
            "layout": "wall",
            "pacing": "reading",
            "dwell_seconds": 8,
        },
        600,
        [
            {
                "id": f"c{i}",
                "text": f"Comment {i}",
                "bucket": "bad",
                "score": 3,
                "scale": "nps",
                "source": "",
                "given_at": None,
                "pinned": False,
                "meta": {},
            }
            for i in range(2)
        ],
        None,
        "a1",
        0,
    )
)


def test_a_refused_token_clears_the_screen_and_retries_once_a_minute(browser: Browser) -> None:
    """The token goes on the stream's URL; a 4403 close empties the screen and its cache, says
    why and retries every 60 s; reloaded, the page shows none of the feed's comments."""
    fake = Refusing()
    context = browser.new_context()
    page = context.new_page()
    state = "() => document.querySelector('voc-ticker').dataset.state"
    try:
        with serve_asgi(fake.app()) as base:
            page.clock.install()
            page.goto(base)
            page.wait_for_function(f"() => {TILES}.length === 2", timeout=10_000 * UNIT)
            assert [parse_qs(q) for q in fake.asked] == [{"token": ["s3cret & co"]}]
            kept = page.evaluate("JSON.stringify(localStorage)")
            assert "Comment 0" in kept and "s3cret" not in kept  # the token is not the key
            fake.refused.set()
            page.wait_for_function(f"{state} === 'revoked'", timeout=5_000 * UNIT)
            assert page.evaluate(f"{ROOT}.querySelector('.empty').textContent") == REVOKED
            assert page.evaluate(f"{TILES}.length") == 0
            assert "Comment" not in page.evaluate("JSON.stringify(localStorage)")
            assert page.evaluate(f"{ROOT}.querySelector('.status').hidden")  # calm: no badge
            page.clock.run_for(59_000)
            assert page.evaluate(state) == "revoked"  # no fast reconnect loop
            page.clock.run_for(1_500)
            page.wait_for_function(f"{state} === 'revoked'", timeout=5_000 * UNIT)
            assert len(fake.asked) == 2
            fake.silent = True
            page.reload()
            page.wait_for_function(f"{state} === 'connecting'", timeout=5_000 * UNIT)
            assert page.evaluate(f"{ROOT}.querySelector('.empty').textContent") == REVOKED
            assert page.evaluate(f"{TILES}.length") == 0
            page.close()
    finally:
        fake.refused.set()  # its streams end however the test went
        context.close()
