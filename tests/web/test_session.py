"""The protocol core without sockets: a client's first message, and answers to what it sends."""

from __future__ import annotations

import json
import logging

import jsonschema
import pytest

from tests.web.test_protocol import schemas
from ticker.feeds import Display, Feed, FeedError
from ticker.playlist import Shown
from ticker.protocol import Item
from ticker.store import NotFound
from web.hub import Outgoing
from web.session import PONG, Close, Openings, answer

SUPPORT = Feed("support", "Support — last 30 days", display=Display(80, "right", "dark"))
BROKEN = "broken"


def item(n: int, text: str = "Friendly staff, fast delivery.") -> Item:
    return {
        "id": f"c-{n}",
        "text": text,
        "bucket": "good",
        "score": 5,
        "scale": "csat5",
        "source": "Post-purchase",
        "given_at": None,
        "pinned": False,
        "meta": {},
    }


class Playlists:
    """The loader and cache an app hands to Openings: tracks a feed once it is loaded."""

    def __init__(self, *feeds: Feed) -> None:
        self.feeds = {f.name: f for f in feeds}
        self.shown: dict[str, Shown] = {}
        self.loads = 0

    async def load(self, name: str) -> Shown:
        self.loads += 1
        if name == BROKEN:
            raise FeedError("mix shares must be non-negative and add up to more than 0")
        if name not in self.feeds:
            raise NotFound(name)
        shown = self.shown[name] = Shown(self.feeds[name], [item(1), item(2)])
        return shown

    def cached(self, name: str) -> Shown | None:
        return self.shown.get(name)


@pytest.fixture
def playlists() -> Playlists:
    return Playlists(SUPPORT)


@pytest.fixture
def openings(playlists: Playlists) -> Openings:
    return Openings(playlists.load, playlists.cached, heartbeat=20.0)


def decoded(message: Outgoing) -> dict[str, object]:
    (text,) = message.texts
    result: dict[str, object] = json.loads(text)
    return result


async def test_first_is_shared_while_the_playlist_is_unchanged(
    openings: Openings, playlists: Playlists
) -> None:
    """Two clients of an unchanged feed get the same Outgoing object, encoded once."""
    one = await openings.first("support")
    two = await openings.first("support")
    assert isinstance(one, Outgoing)
    assert one is two
    assert playlists.loads == 1  # the second came from the cache


async def test_first_is_encoded_again_after_the_playlist_changes(
    openings: Openings, playlists: Playlists
) -> None:
    """A new cached tuple (a change was applied) gives a new snapshot with the new items."""
    before = await openings.first("support")
    playlists.shown["support"] = Shown(SUPPORT, [item(3, "Brand new comment")])
    after = await openings.first("support")
    assert isinstance(before, Outgoing)
    assert isinstance(after, Outgoing)
    assert after is not before
    assert decoded(after)["items"] == [item(3, "Brand new comment")]
    assert await openings.first("support") is after


async def test_a_feed_loaded_by_nobody_else_is_loaded(
    openings: Openings, playlists: Playlists
) -> None:
    """The first client of an untracked feed makes the loader load it."""
    assert playlists.cached("support") is None
    first = await openings.first("support")
    assert isinstance(first, Outgoing)
    assert playlists.loads == 1
    assert decoded(first)["items"] == [item(1), item(2)]


async def test_an_unknown_feed_closes_with_4404(openings: Openings) -> None:
    """NotFound from the loader becomes an `unknown_feed` error and close code 4404."""
    close = await openings.first("suport")
    assert isinstance(close, Close)
    assert close.code == 4404
    assert close.reason == "unknown_feed"
    error = json.loads(close.message)
    assert error["type"] == "error"
    assert error["code"] == "unknown_feed"
    assert "suport" in error["message"]
    jsonschema.validate(error, schemas()["error"])


async def test_a_broken_feed_closes_with_1011_and_is_logged(
    openings: Openings, caplog: pytest.LogCaptureFixture
) -> None:
    """FeedError from the loader becomes `feed_unavailable`, close 1011, and an error in the log."""
    with caplog.at_level(logging.ERROR, logger="voc_ticker.stream"):
        close = await openings.first(BROKEN)
    assert isinstance(close, Close)
    assert close.code == 1011
    assert close.reason == "feed_unavailable"
    error = json.loads(close.message)
    assert (error["type"], error["code"]) == ("error", "feed_unavailable")
    assert "mix shares" not in error["message"]  # the cause is for the admin's log, not screens
    jsonschema.validate(error, schemas()["error"])
    assert "mix shares" in caplog.text


async def test_now_is_none_for_an_untracked_feed(openings: Openings) -> None:
    """Nothing is loaded or waited for: an untracked feed has no snapshot now."""
    assert openings.now("support") is None
    assert openings.now("nobody") is None


async def test_now_is_the_current_snapshot_of_a_tracked_feed(
    openings: Openings, playlists: Playlists
) -> None:
    """Once tracked, now() is the shared snapshot, and follows changes to the playlist."""
    first = await openings.first("support")
    assert openings.now("support") is first
    playlists.shown["support"] = Shown(SUPPORT, [])
    later = openings.now("support")
    assert later is not None
    assert later is not first
    assert decoded(later)["items"] == []
    assert await openings.first("support") is later


async def test_the_snapshot_carries_the_feeds_title_display_and_heartbeat(
    openings: Openings,
) -> None:
    """The text decodes to a valid `snapshot` with the feed's name, title, display and heartbeat."""
    first = await openings.first("support")
    assert isinstance(first, Outgoing)
    message = decoded(first)
    assert message == {
        "type": "snapshot",
        "feed": "support",
        "title": "Support — last 30 days",
        "display": {
            "speed": 80,
            "direction": "right",
            "theme": "dark",
            "layout": "ticker",
            "pacing": "reading",
            "dwell_seconds": 8.0,
        },
        "heartbeat": 20.0,
        "items": [item(1), item(2)],
        "spotlight": None,
        "epoch": "0",
        "offset": 0,
    }
    jsonschema.validate(message, schemas()["snapshot"])
    assert "—" in first.texts[0]  # non-ASCII is sent as itself


@pytest.mark.parametrize(
    "data",
    [
        '{"type": "ping"}',
        '{"type":"ping"}',
        ' {"type": "ping"}\n',
        '{"type": "ping", "id": 7}',
        '{"type": "ping", "meta": {"a": [1, {"b": null}]}}',
    ],
    ids=["spaced", "compact", "whitespace", "extra-field", "shallow-nested-field"],
)
def test_a_ping_is_answered_with_pong(data: str) -> None:
    """A JSON object whose type is `ping` gets the shared pong (unknown fields are ignored)."""
    assert answer(data) is PONG
    jsonschema.validate(decoded(PONG), schemas()["pong"])


NESTED = "[" * 3000 + "]" * 3000


@pytest.mark.parametrize(
    "data",
    [
        "nonsense",
        "",
        "ping",
        '"ping"',
        "null",
        "42",
        "{}",
        '{"type": "pong"}',
        '{"type": "PING"}',
        '{"kind": "ping"}',
        '[{"type": "ping"}]',
        '{"type": ["ping"]}',
        '{"type": {"type": "ping"}}',
        '{"type": "ping"',
        '{"type": "ping", "type": "snapshot"}',
        "[" * 3000,
        NESTED,
        '{"type": "ping", "pad": ' + NESTED + "}",
        b'{"type": "ping"}',
        b"\x00\xff",
    ],
    ids=[
        "not-json",
        "empty",
        "bare-word",
        "json-string",
        "null",
        "number",
        "no-type",
        "other-type",
        "wrong-case",
        "other-key",
        "ping-in-a-list",
        "type-a-list",
        "ping-nested-in-type",
        "unclosed",
        "duplicate-key-last-wins",
        "3000-open-brackets",
        "3000-deep-array",
        "ping-with-3000-deep-field",
        "binary-ping",
        "binary",
    ],
)
def test_anything_but_a_ping_closes_with_1003(data: str | bytes) -> None:
    """Non-JSON, non-objects, other types, binary frames and too-deep nesting get `bad_message`."""
    reply = answer(data)
    assert isinstance(reply, Close)
    assert reply.code == 1003
    assert reply.reason == "bad_message"
    error = json.loads(reply.message)
    jsonschema.validate(error, schemas()["error"])
    assert error["code"] == "bad_message"
