"""Resuming without gaps: a screen that reconnects says where it left off and gets what it
missed, or a fresh snapshot when the server no longer has it all."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser
from websockets.asyncio.client import connect

from tests.conftest import STREAMS, UNIT, Running, add, serving, stream_server
from tests.web.test_stream import BAD, GOOD, next_of, snapshot_holding
from ticker import curation, playlist
from ticker.feeds import Feed
from ticker.playlist import Shown
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store
from web import follower


@pytest.fixture(params=STREAMS)
def server(request: pytest.FixtureRequest, settings: Settings, store: Store) -> Iterator[Running]:
    """Screens on Starlette's stream, the websockets server's, and an edge on Redis."""
    yield from stream_server(request, settings)


def at(server: Running, since: str = "") -> Any:
    return connect(f"{server.ws}/ws/feeds/all{since}", compression=None, ping_interval=None)


async def first(ws: Any) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await ws.recv())
    return message


async def numbered_to(server: Running, offset: int) -> None:
    """Until the server has made the changes (a screen watching, so it makes them)."""
    async with asyncio.timeout(10 * UNIT):
        while True:
            async with at(server) as ws:
                if (await first(ws))["offset"] >= offset:
                    return
            await asyncio.sleep(0.05)


async def test_a_reconnect_gets_the_changes_it_missed(
    server: Running, store: Store, tagger: Tagger
) -> None:
    ids = add(store, tagger, *GOOD[:4], *BAD[:2])
    snapshot = await snapshot_holding(server, ids[-1])  # an edge's is a moment behind the store
    epoch, offset = snapshot["epoch"], snapshot["offset"]
    curation.hide(store, ids[4], "cx@example.com")  # while the screen is away
    curation.pin(store, ids[0], "cx@example.com")
    await numbered_to(server, offset + 2)
    async with at(server, f"?epoch={epoch}&offset={offset}") as ws:
        said = await first(ws)
        assert said == {
            "type": "resumed",
            "feed": "all",
            "epoch": epoch,
            "offset": offset,
            "heartbeat": snapshot["heartbeat"],
        }
        missed = [await first(ws) for _ in range(2)]
    assert [m["offset"] for m in missed] == [offset + 1, offset + 2]
    assert missed[0] == {"type": "remove", "id": ids[4], "offset": offset + 1}
    assert missed[1]["type"] == "update" and missed[1]["item"]["id"] == ids[0]
    items = playlist.apply(snapshot["items"], missed)
    async with at(server) as ws:
        now = await first(ws)
    assert items == now["items"] and now["offset"] == offset + 2  # the same as a fresh start


async def test_a_resume_the_server_cannot_serve_gets_a_snapshot(
    server: Running, store: Store, tagger: Tagger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another epoch, an offset from the future, nonsense, or older than the history."""
    monkeypatch.setattr(playlist, "HISTORY", 1)
    monkeypatch.setattr(follower, "HISTORY", 1)  # an edge keeps a history of its own
    ids = add(store, tagger, *GOOD[:4], *BAD[:2])
    await snapshot_holding(server, ids[-1])
    async with at(server) as ws:
        snapshot = await first(ws)
        curation.hide(store, ids[4], "cx@example.com")
        curation.hide(store, ids[5], "cx@example.com")
        await next_of(ws, "remove")
        await next_of(ws, "remove")
    epoch, offset = snapshot["epoch"], snapshot["offset"]
    for since in (
        f"?epoch=ffff&offset={offset}",
        f"?epoch={epoch}&offset={offset + 99}",
        f"?epoch={epoch}&offset=-1",
        f"?epoch=<script>&offset={offset}",
        f"?epoch={epoch}&offset={offset}",  # two changes ago; the history keeps one
    ):
        async with at(server, since) as ws:
            message = await first(ws)
        assert message["type"] == "snapshot", since
        assert ids[5] not in [i["id"] for i in message["items"]]
    async with at(server, f"?epoch={epoch}&offset={offset + 1}") as ws:
        assert (await first(ws))["type"] == "resumed"  # one back is still there


def test_changes_are_numbered_within_their_epoch() -> None:
    feed = Feed("f", "F")
    shown = Shown(feed, [], None, "a1")
    later, stamped = shown.then(feed, [], None, [{"type": "remove", "id": "x"}] * 3)
    assert [e["offset"] for e in stamped] == [1, 2, 3]
    assert later.since("a1", 1) == stamped[1:]
    assert later.since("a1", 3) == []
    assert later.since("b2", 1) is None
    assert later.since("a1", 4) is None


RECORDER = """
window.__voc = { urls: [], firsts: [], sockets: [] };
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  constructor(url, protocols) {
    super(url, protocols);
    window.__voc.urls.push(String(url));
    window.__voc.sockets.push(this);
    let first = true;
    this.addEventListener('message', (e) => {
      if (first) { first = false; window.__voc.firsts.push(JSON.parse(e.data).type); }
    });
  }
};
"""


@pytest.mark.browser
def test_the_widget_resumes_after_a_drop_and_a_reload(
    browser: Browser, settings: Settings, store: Store, tagger: Tagger
) -> None:
    """The widget reconnects saying where it was, gets `resumed` and what it missed, and a
    reloaded page resumes from the playlist it kept."""
    ids = add(store, tagger, *GOOD[:4], *BAD[:2])
    context = browser.new_context(service_workers="block")
    context.add_init_script(RECORDER)
    texts = "[...document.querySelector('voc-ticker').shadowRoot.querySelectorAll('.item')]"
    try:
        with serving(settings) as server:
            page = context.new_page()
            page.goto(f"{server.http}/embed/all")
            page.wait_for_function(f"() => {texts}.length === 6", timeout=10_000 * UNIT)
            page.evaluate("window.__voc.sockets[0].close()")  # the network drops
            curation.hide(store, ids[4], "cx@example.com")
            page.wait_for_function(f"() => {texts}.length === 5", timeout=10_000 * UNIT)
            page.wait_for_function("() => window.__voc.firsts.length === 2")
            said = page.evaluate("window.__voc")
            assert "epoch=" in said["urls"][1] and "offset=" in said["urls"][1]
            assert said["firsts"] == ["snapshot", "resumed"]
            page.reload()
            page.wait_for_function("() => window.__voc.firsts.length === 1")
            again = page.evaluate("window.__voc")
            assert "epoch=" in again["urls"][0] and again["firsts"] == ["resumed"]
            assert page.evaluate(f"{texts}.length") == 5
    finally:
        context.close()
