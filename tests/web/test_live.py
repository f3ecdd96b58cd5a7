"""The live feeds without sockets: what is tracked, forgotten and tracked again."""

from __future__ import annotations

import asyncio

import pytest

from ticker.readers import Readers
from ticker.store import NotFound, Store
from web.hub import Hub
from web.live import Live


async def test_a_made_up_feed_name_leaves_nothing_behind(store: Store) -> None:
    """A client asking for a feed that does not exist costs no bookkeeping (any number of
    made-up names must not grow the server)."""
    readers = Readers(store.path, threads=1)
    live = Live(readers, Hub(), max_chars=1000, heartbeat=20.0)
    try:
        with pytest.raises(NotFound):
            await live.load("no-such-feed")
        assert "no-such-feed" not in live._seen and live.playlists.tracked() == []
    finally:
        readers.close()


async def test_a_watched_feed_that_was_forgotten_is_tracked_again_with_a_snapshot(
    store: Store,
) -> None:
    """If a feed is forgotten just as a screen subscribes, the next check tracks it again and
    sends its screens a fresh snapshot, so they miss no later change."""
    readers = Readers(store.path, threads=1)
    live = Live(readers, Hub(), max_chars=1000, heartbeat=20.0)
    try:
        await live.load("all")
        live.playlists.forget("all")
        changed = await readers.run(lambda s: live._check(s, {"all"}))
        assert [(feed, [m["type"] for m in messages]) for feed, messages in changed] == [
            ("all", ["snapshot"])
        ]
        assert live.playlists.tracked() == ["all"]
    finally:
        readers.close()


async def test_a_check_queued_while_a_feed_loads_keeps_it(store: Store) -> None:
    """A check counts the watched feeds before it runs; a feed a screen loaded meanwhile is not
    among them yet, and must not be forgotten (its screen would get a second snapshot, of a new
    epoch, and miss the changes between: a resume with the first epoch would fail)."""
    readers = Readers(store.path, threads=1)
    live = Live(readers, Hub(), max_chars=1000, heartbeat=20.0)
    try:
        shown, changed = await asyncio.gather(
            live.load("all"), readers.run(lambda s: live._check(s, set()))
        )
        assert changed == [] and live.playlists.tracked() == ["all"]
        assert live.playlists.cached("all") is shown
    finally:
        readers.close()
