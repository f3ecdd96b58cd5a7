"""The feed builder's API on a real server: the preview is the snapshot screens get, bad drafts
say what to fix field by field, only the right people build, and a save reaches a connected
screen."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import UNIT, Running, add, make_user, serving, token_for
from ticker.curation import approve
from ticker.feeds import Feed, FeedFilter
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store

COMMENTS = [
    Verbatim("support", "The engineer was brilliant, thank you", "1", 5, "csat5"),
    Verbatim("support", "Delivery late again, nobody called me", "2", 2, "csat5"),
    Verbatim("support", "Shit support, rude and useless", "3", 1, "csat5"),
    Verbatim("retail", "Lovely staff at the Leeds store", "4", 9, "nps", meta={"store": "Leeds"}),
]


class Site:
    """One server for the module, with a token per kind of person."""

    def __init__(self, server: Running, store: Store) -> None:
        self.server = server
        self.store = store
        self.admin = token_for(store, "ann@example.com", "admin")
        make_user(store, "cy@example.com", "curator", ("support",))
        self.curator = token_for(store, "cy@example.com", "curate")
        self.viewer = token_for(store, "vi@example.com", "read")

    def client(self, token: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.Client(base_url=self.server.http, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, tagger: Tagger) -> Iterator[Site]:
    folder: Path = tmp_path_factory.mktemp("builder")
    settings = Settings(db=folder / "voc.db", watch_seconds=0.05, heartbeat_seconds=20.0)
    store = Store(settings.db)
    for vid in add(store, tagger, *COMMENTS):
        if store.get(vid).state == "pending":  # the profane one waits for a curator
            approve(store, vid, "test")
    store.save_feed(Feed("support", "Support", FeedFilter(sources=("support",))))
    try:
        with serving(settings) as server:
            yield Site(server, store)
    finally:
        store.close()


def preview(c: httpx.Client, draft: dict[str, Any]) -> dict[str, Any]:
    r = c.post("/api/v1/feeds/preview", json=draft)
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def screen(site: Site, feed: str) -> Any:
    return connect(
        f"{site.server.ws}/ws/feeds/{feed}", compression=None, max_size=None, ping_interval=None
    )


async def until(ws: ClientConnection, kind: str) -> dict[str, Any]:
    """The next message of a kind (the wait is a liveness bound)."""
    async with asyncio.timeout(10 * UNIT):
        while True:
            message: dict[str, Any] = json.loads(await ws.recv())
            if message["type"] == kind:
                return message


async def test_the_preview_is_the_snapshot_screens_get(site: Site) -> None:
    """Same items, same order, same display, as a screen's first message."""
    with site.client(site.admin) as c:
        draft = c.get("/api/v1/feeds").json()
    support = next(f for f in draft if f["name"] == "support")
    with site.client(site.admin) as c:
        answer = preview(c, support)
    async with screen(site, "support") as ws:
        snapshot = json.loads(await ws.recv())
    assert answer["problems"] == [] and answer["empty"] is None
    unnumbered = ("epoch", "offset")  # a draft is in no run of the feed's changes
    assert {k: v for k, v in answer["snapshot"].items() if k not in unnumbered} == {
        k: v for k, v in snapshot.items() if k not in unnumbered
    }
    assert {i["bucket"] for i in snapshot["items"]} == {"good", "bad", "ugly"}
    assert answer["mix"]["shown"] == {"good": 1, "bad": 1, "ugly": 1}


def test_a_filter_that_matches_nothing_says_so(site: Site) -> None:
    """Japanese comments from an NPS survey's detractors: none, and the preview says so."""
    draft = {"name": "none", "filter": {"languages": ["ja"], "scores": {"nps": [0, 6]}}}
    with site.client(site.admin) as c:
        answer = preview(c, draft)
    assert answer["problems"] == [] and answer["snapshot"]["items"] == []
    assert "No comment matches this filter" in answer["empty"]


def test_every_problem_comes_back_by_field(site: Site) -> None:
    """Shares short of 100 % still preview (weighed as they are); an inverted range does not."""
    short = {"name": "x", "mix": {"shares": {"good": 0.5, "bad": 0.3, "ugly": 0.1}}}
    with site.client(site.admin) as c:
        weighed = preview(c, short)
        broken = preview(
            c, {**short, "filter": {"scores": {"nps": [9, 0]}, "sources": ["zendesk"]}}
        )
        typed = preview(c, {"name": "x", "mix": {"size": "big"}})
    assert [p["field"] for p in weighed["problems"]] == ["mix.shares"]
    assert "add up to 90 %" in weighed["problems"][0]["message"] and weighed["snapshot"]
    said = {p["field"]: p["message"] for p in broken["problems"]}
    assert "inverted" in said["filter.scores.nps"] and broken["snapshot"] is None
    assert "no source named zendesk; known: retail, support" in said["filter.sources"]
    assert typed["problems"] == [
        {"field": "mix.size", "message": "mix.size must be a whole number, not 'big'"}
    ]


def test_a_bad_save_says_what_to_fix_and_changes_nothing(site: Site) -> None:
    """422 naming the field; the stored feed is as it was."""
    with site.client(site.admin) as c:
        before = c.get("/api/v1/feeds").json()
        r = c.put(
            "/api/v1/feeds/support",
            json={"mix": {"shares": {"good": 0.6, "bad": 0.6}}, "filter": {"sources": ["support"]}},
        )
        assert r.status_code == 422
        assert r.json()["error"].startswith("mix.shares: mix shares add up to 120 %")
        assert c.get("/api/v1/feeds").json() == before


def test_curators_change_their_feeds_and_only_admins_make_feeds(site: Site) -> None:
    """A curator of support saves it but previews no other feed, makes none and confirms no
    praise wall; a viewer builds nothing."""
    support = {"title": "Support desk", "filter": {"sources": ["support"]}}
    wall = {**support, "filter": {"sources": ["support"], "buckets": ["good"]}}
    with site.client(site.curator) as c, site.client(site.viewer) as v:
        assert preview(c, {"name": "support", **support})["problems"] == []
        other = c.post("/api/v1/feeds/preview", json={"name": "all"})
        assert other.status_code == 403 and "does not curate the feed 'all'" in other.text
        new = c.put("/api/v1/feeds/fresh", json={"title": "Fresh"})
        assert new.status_code == 403 and "only an admin makes a new feed" in new.text
        confirmed = c.put(
            "/api/v1/feeds/support", json={**wall, "confirm_praise_wall": "the lobby"}
        )
        assert confirmed.status_code == 403 and "only an admin confirms" in confirmed.text
        assert c.put("/api/v1/feeds/support", json=support).status_code == 200
        looked = v.post("/api/v1/feeds/preview", json={"name": "support"})
        assert looked.status_code == 403 and "admins and curators" in looked.text
    assert site.store.feed("support").title == "Support desk"


async def test_a_save_reaches_a_connected_screen(site: Site) -> None:
    """New display settings, then a narrower filter: each reaches the screen (how soon:
    `python -m bench.reach`, in the README)."""
    base = {"title": "Support", "filter": {"sources": ["support"]}}
    async with (
        httpx.AsyncClient(
            base_url=site.server.http, headers={"Authorization": f"Bearer {site.admin}"}
        ) as c,
        screen(site, "support") as ws,
    ):
        first = json.loads(await ws.recv())
        assert len(first["items"]) == 3
        display = {"layout": "cards", "theme": "dark", "pacing": "fixed", "dwell_seconds": 12}
        assert (await c.put("/api/v1/feeds/support", json={**base, "display": display})).is_success
        message = await until(ws, "display")
        assert {k: message["display"][k] for k in display} == display
        only_good = {
            "sources": ["support"],
            "buckets": ["good", "bad"],
            "scores": {"csat5": [4, 5]},
        }
        praise = {**base, "filter": only_good, "confirm_praise_wall": "the thank-you screen"}
        saved = await c.put("/api/v1/feeds/support", json=praise)
        assert saved.is_success, saved.text
        removed = await until(ws, "remove")
        gone = {i["id"]: i for i in first["items"]}[removed["id"]]
        assert gone["bucket"] in ("bad", "ugly")


def test_the_preview_tells_what_the_ugly_cap_allows(site: Site) -> None:
    """A cap of 0 an hour keeps the ugly off screens, except as many as their floor."""
    capped = {"name": "support", "filter": {"sources": ["support"]}, "mix": {"ugly_per_hour": 0}}
    floored = {**capped, "mix": {"ugly_per_hour": 0, "floors": {"ugly": 1}}}
    with site.client(site.admin) as c:
        none, one = preview(c, capped), preview(c, floored)
    assert none["ugly_allowed"] == 0 and none["mix"]["shown"]["ugly"] == 0
    assert one["ugly_allowed"] == 1 and one["mix"]["shown"]["ugly"] == 1
    assert none["cycle_seconds"] > 0
