"""The live loop: notice store changes (from any process), push playlist edits and heartbeats."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from web.hub import Outgoing, encode
from web.state import AppState

log = logging.getLogger("voc_ticker.live")
REBUILD_EVERY = 60.0  # age filters move with the clock even when nothing is written


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


async def run(state: AppState) -> None:
    """Poll the store's change marker; on a change rebuild the watched feeds and publish diffs."""
    marker = state.store.change_marker()
    last_beat = last_rebuild = time.monotonic()
    while True:
        await asyncio.sleep(state.settings.watch_seconds)
        try:
            now = time.monotonic()
            for name in set(state.playlists.tracked()) - set(state.hub.feeds()):
                state.playlists.forget(name)
                state.snapshots.pop(name, None)
            current = state.store.change_marker()
            if current != marker or now - last_rebuild >= REBUILD_EVERY:
                for feed, events in state.playlists.refresh():
                    with _collector_paused():
                        state.hub.publish(feed, Outgoing(*map(encode, events)))
                marker, last_rebuild = current, now
            if now - last_beat >= state.settings.heartbeat_seconds:
                last_beat = now
                at = datetime.now(UTC).isoformat(timespec="seconds")
                state.hub.publish_all(Outgoing(encode({"type": "heartbeat", "at": at})))
        except Exception:  # the loop must outlive any one bad refresh; the next tick retries
            log.exception("live refresh failed")
