"""The live feeds: notice store changes (from any process), push playlist edits and heartbeats.

The playlists live on one reading thread of their own: checking for changes and rebuilding the
watched feeds never runs on the event loop, so screens are served while it works.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial

from ticker import protocol
from ticker.playlist import Playlists
from ticker.protocol import Event
from ticker.readers import Readers
from ticker.store import Store
from web.hub import Hub, Outgoing
from web.session import Shown

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

    def __init__(self, readers: Readers, hub: Hub, max_chars: int) -> None:
        self.readers = readers  # one thread: the playlists are touched by it alone
        self.hub = hub
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

    async def load(self, feed: str) -> Shown:
        """Start tracking a feed (on the playlists' thread); raises NotFound or FeedError."""
        self._seen[feed] = time.monotonic()
        return await self.readers.run(lambda store: self.playlists.snapshot(store, feed))

    def _check(self, store: Store, watched: set[str]) -> list[tuple[str, list[Event]]]:
        """On the playlists' thread: forget unwatched feeds, rebuild the rest on a change."""
        now = time.monotonic()
        for name in self.playlists.tracked():
            if name in watched:
                self._seen[name] = now
            elif now - self._seen.get(name, 0.0) > FORGET_AFTER:
                self.playlists.forget(name)
                self._seen.pop(name, None)
        marker = store.change_marker()
        if marker == self._marker and now - self._rebuilt < REBUILD_EVERY:
            return []
        self._marker, self._rebuilt = marker, now
        return self.playlists.refresh(store)

    async def run(self, watch_seconds: float, heartbeat_seconds: float) -> None:
        """Until cancelled: poll for changes every `watch_seconds`, beat every heartbeat."""
        last_beat = time.monotonic()
        while True:
            await asyncio.sleep(watch_seconds)
            try:
                check = partial(self._check, watched=set(self.hub.feeds()))
                for feed, events in await self.readers.run(check):
                    with _collector_paused():
                        self.hub.publish(feed, Outgoing(*map(protocol.encode, events)))
                if time.monotonic() - last_beat >= heartbeat_seconds:
                    last_beat = time.monotonic()
                    at = datetime.now(UTC).isoformat(timespec="seconds")
                    self.hub.deliver_all(Outgoing(protocol.encode(protocol.heartbeat(at))))
            except Exception:  # the loop must outlive any one bad refresh; the next tick retries
                log.exception("live refresh failed")
