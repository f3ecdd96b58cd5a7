"""The live feeds: notice store changes (from any process), push playlist edits and heartbeats.

The playlists live on one reading thread of their own: checking for changes and rebuilding the
watched feeds never runs on the event loop, so screens are served while it works.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial

from ticker import protocol
from ticker.feeds import Feed, FeedError
from ticker.playlist import Playlists, Shown, snapshot_message
from ticker.protocol import Message
from ticker.readers import Readers
from ticker.store import NotFound, Store
from web.hub import Hub, Outgoing

log = logging.getLogger("voc_ticker.live")
REBUILD_EVERY = 60.0  # age filters move with the clock even when nothing is written
FORGET_AFTER = 60.0  # a feed nobody has watched for this long stops being rebuilt


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No garbage collection during a fan-out: a pass over 20,000 connections' objects in the
    middle of one would hold back every screen after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Live:
    """The watched feeds' playlists, kept up to date and published through the hub."""

    def __init__(
        self, readers: Readers, hub: Hub, max_chars: int, heartbeat: float, every: bool = False
    ) -> None:
        self.readers = readers  # one thread: the playlists are touched by it alone
        self.hub = hub
        self.every = every  # track every feed, watched here or not: edges' screens watch them
        self.heartbeat = heartbeat
        self.playlists = Playlists(max_chars)
        self._marker: tuple[int, int] | None = None
        self._rebuilt = time.monotonic()
        self._seen: dict[str, float] = {}  # when each tracked feed was last watched

    def cached(self, feed: str) -> Shown | None:
        """What screens of the feed have now, if it is tracked (safe on the event loop)."""
        shown = self.playlists.cached(feed)
        if shown is not None:
            self._seen[feed] = time.monotonic()
        return shown

    def feed_of(self, feed: str) -> Feed | None:
        """The definition screens of the feed follow now, if it is tracked."""
        shown = self.playlists.cached(feed)
        return shown.feed if shown is not None else None

    async def resume(self, seen: dict[str, protocol.Snapshot]) -> int:
        """Take up each feed where screens are (an origin's restart); how many resumed."""

        def work(store: Store) -> int:
            return sum(self.playlists.resume(store, name, snap) for name, snap in seen.items())

        done: int = await self.readers.run(work)
        return done

    async def load(self, feed: str) -> Shown:
        """Start tracking a feed (on the playlists' thread); raises NotFound or FeedError."""

        def work(store: Store) -> Shown:
            shown = self.playlists.snapshot(store, feed)
            # Seen on this thread, before a check queued meanwhile runs: that check's watched
            # feeds were counted before this screen subscribed, and it must not forget the feed
            # (its screens would get a second snapshot, of a new epoch, and miss what came
            # between). Only feeds that exist get an entry: none per made-up name.
            self._seen[feed] = time.monotonic()
            return shown

        shown: Shown = await self.readers.run(work)
        return shown

    def _check(self, store: Store, watched: set[str]) -> list[tuple[str, Sequence[Message]]]:
        """On the playlists' thread: forget unwatched feeds, rebuild the rest on a change."""
        now = time.monotonic()
        if self.every:
            watched = watched | set(store.feed_names())
        tracked = self.playlists.tracked()
        for name in tracked:
            if name in watched:
                self._seen[name] = now
            elif now - self._seen.get(name, 0.0) > FORGET_AFTER:
                self.playlists.forget(name)
                self._seen.pop(name, None)
        # A feed forgotten just as a screen subscribed is tracked again, and its screens get a
        # fresh snapshot: the one they had may be older than the changes they would now miss.
        again: list[tuple[str, Sequence[Message]]] = []
        for name in watched - set(self.playlists.tracked()):
            try:
                shown = self.playlists.snapshot(store, name)
            except (NotFound, FeedError):
                continue
            again.append((name, [snapshot_message(shown, self.heartbeat)]))
        marker = store.change_marker()
        if marker == self._marker and now - self._rebuilt < REBUILD_EVERY:
            return again
        self._marker, self._rebuilt = marker, now
        return [*again, *self.playlists.refresh(store)]

    async def run(self, watch_seconds: float) -> None:
        """Until cancelled: poll for changes every `watch_seconds`, beat every heartbeat."""
        last_beat = time.monotonic()
        while True:
            await asyncio.sleep(watch_seconds)
            try:
                check = partial(self._check, watched=set(self.hub.feeds()))
                for feed, events in await self.readers.run(check):
                    with _collector_paused():
                        message = Outgoing(*map(protocol.encode, events))
                        self.hub.publish(feed, message, self.playlists.cached(feed))
                if time.monotonic() - last_beat >= self.heartbeat:
                    last_beat = time.monotonic()
                    at = datetime.now(UTC).isoformat(timespec="seconds")
                    self.hub.deliver_all(Outgoing(protocol.encode(protocol.heartbeat(at))))
            except Exception:  # the loop must outlive any one bad refresh; the next tick retries
                log.exception("live refresh failed")
