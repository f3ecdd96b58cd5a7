"""The stream protocol without I/O: what a client gets first, and the answer to what it sends.

Both socket servers (`web.stream` on Starlette, `web.wsserver` on the websockets library) are
thin shells around these functions, so the protocol in docs/protocol.md is written once.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from ticker.feeds import FeedError
from ticker.playlist import snapshot_message
from ticker.store import NotFound
from web.hub import Outgoing, encode, error
from web.state import AppState

UNSUPPORTED = 1003
TOO_BIG = 1009
UNAVAILABLE = 1011
UNKNOWN_FEED = 4404
PONG = Outgoing(encode({"type": "pong"}))
log = logging.getLogger("voc_ticker.stream")


@dataclass(frozen=True)
class Close:
    """Send `message` (an `error`), then close with `code` and the error's code as reason."""

    code: int
    message: str

    @property
    def reason(self) -> str:
        return str(json.loads(self.message)["code"])


def opening(state: AppState, feed: str) -> Outgoing | Close:
    """The snapshot a new client gets first, or why it cannot watch this feed.

    Encoded once per playlist version and shared: a thousand screens reconnecting after a
    restart get the same string, not a thousand copies of it.
    """
    try:
        found, items = state.playlists.snapshot(feed)
    except NotFound:
        return Close(UNKNOWN_FEED, error("unknown_feed", f"there is no feed named {feed!r}"))
    except FeedError as exc:
        log.error("feed %r cannot be shown: %s", feed, exc)
        return Close(UNAVAILABLE, error("feed_unavailable", f"feed {feed!r} is misconfigured"))
    cached = state.snapshots.get(feed)
    if cached is None or cached[0] is not items or cached[1] is not found:
        text = encode(snapshot_message(found, items, state.settings.heartbeat_seconds))
        cached = state.snapshots[feed] = (items, found, Outgoing(text))
    return cached[2]


def answer(data: str | bytes) -> Outgoing | Close:
    """A pong for a ping; anything else is not protocol and closes the socket (1003)."""
    try:
        kind = json.loads(data)["type"] if isinstance(data, str) else None
    except (ValueError, TypeError, KeyError, RecursionError):  # '[' * 3000 is under 4 KiB
        kind = None
    if kind == "ping":
        return PONG
    return Close(UNSUPPORTED, error("bad_message", 'a client may only send {"type": "ping"}'))
