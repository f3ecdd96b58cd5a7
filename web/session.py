"""The stream protocol without I/O: what a client gets first, and the answer to what it sends.

Both socket servers (`web.stream` on Starlette, `web.wsserver` on the websockets library) are
thin shells around these, so the protocol in docs/protocol.md is written once. The core is
handed what it needs (where snapshots come from, the heartbeat), not the whole app.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ticker import protocol
from ticker.feeds import FeedError
from ticker.playlist import Shown, snapshot_message
from ticker.settings import Settings
from ticker.store import NotFound
from web.hub import Hub, Outgoing

if TYPE_CHECKING:  # web.access builds on this module's Close
    from web.access import Access

UNSUPPORTED = 1003
TOO_BIG = 1009
UNAVAILABLE = 1011
UNKNOWN_FEED = 4404
PONG = Outgoing(protocol.encode(protocol.pong()))
EPOCH = re.compile(r"^[0-9a-f]{1,32}$")
Since = tuple[str, int] | None  # (epoch, offset) a client resumes from
log = logging.getLogger("voc_ticker.stream")


@dataclass(frozen=True)
class Close:
    """Send `message` (an `error`), then close with `code` and the error's code as reason."""

    code: int
    message: str

    @property
    def reason(self) -> str:
        return str(json.loads(self.message)["code"])


def closing(code: int, error: str, message: str) -> Close:
    return Close(code, protocol.encode(protocol.error(error, message)))


class Openings:
    """The snapshot each new client gets first, encoded once per playlist version and shared:
    a thousand screens reconnecting after a restart get the same string, not a thousand copies.
    """

    def __init__(
        self,
        load: Callable[[str], Awaitable[Shown]],
        cached: Callable[[str], Shown | None],
        heartbeat: float,
    ) -> None:
        self._load = load
        self._cached = cached
        self._heartbeat = heartbeat
        self._encoded: dict[str, tuple[Shown, Outgoing]] = {}

    async def first(self, feed: str, since: Since = None) -> Outgoing | Close:
        """The feed's opening (loading the feed if nobody watches it yet), or why not."""
        try:
            shown = self._cached(feed) or await self._load(feed)
        except NotFound:
            return closing(UNKNOWN_FEED, "unknown_feed", f"there is no feed named {feed!r}")
        except FeedError as exc:
            log.error("feed %r cannot be shown: %s", feed, exc)
            return closing(UNAVAILABLE, "feed_unavailable", f"feed {feed!r} is misconfigured")
        return self._opening(feed, shown, since)

    def now(self, feed: str, since: Since = None) -> Outgoing | None:
        """The opening from what screens of the feed have at this moment (no waiting): sent
        as a client subscribes, so no change published meanwhile is missed."""
        shown = self._cached(feed)
        return None if shown is None else self._opening(feed, shown, since)

    def _opening(self, feed: str, shown: Shown, since: Since) -> Outgoing:
        """What a client resuming from `since` missed, if the feed still has it; else the
        snapshot (shared by every client that gets it)."""
        missed = shown.since(*since) if since is not None else None
        if since is None or missed is None:
            return self._encode(feed, shown)
        texts = [protocol.encode(m) for m in missed]
        return resuming(feed, shown.epoch, since[1], self._heartbeat, texts)

    def _encode(self, feed: str, shown: Shown) -> Outgoing:
        done = self._encoded.get(feed)
        if done is None or done[0] is not shown:
            text = protocol.encode(snapshot_message(shown, self._heartbeat))
            done = self._encoded[feed] = (shown, Outgoing(text))
        return done[1]


class NotNow(Exception):
    """The feed cannot be read at the moment (an edge with Redis away): try again soon."""


class Opener(Protocol):
    """Where a stream server gets each client's first message: the origin's Openings, or an
    edge's copy of the feed (web/edge.py)."""

    async def first(self, feed: str, since: Since = None) -> Outgoing | Close: ...

    def now(self, feed: str, since: Since = None) -> Outgoing | None: ...


class Streaming(Protocol):
    """What the stream servers and the pages need of the process they run in."""

    @property
    def settings(self) -> Settings: ...

    @property
    def hub(self) -> Hub: ...

    @property
    def openings(self) -> Opener: ...

    @property
    def access(self) -> Access: ...

    async def title_of(self, feed: str) -> str:
        """The feed's title; NotFound or FeedError when it cannot be shown, NotNow when not
        at the moment."""
        ...


def resuming(feed: str, epoch: str, offset: int, heartbeat: float, missed: list[str]) -> Outgoing:
    """`resumed` and the changes a reconnecting client missed (docs/protocol.md)."""
    said = protocol.encode(protocol.resumed(feed, epoch, offset, heartbeat))
    return Outgoing(said, *missed)


def resume_point(params: Mapping[str, str]) -> Since:
    """Where a reconnecting client left off (`?epoch=…&offset=…`); None: it wants a snapshot."""
    epoch, offset = params.get("epoch", ""), params.get("offset", "")
    if not EPOCH.match(epoch) or not offset.isascii() or not offset.isdigit() or len(offset) > 15:
        return None
    return epoch, int(offset)


def answer(data: str | bytes) -> Outgoing | Close:
    """A pong for a ping; anything else is not protocol and closes the socket (1003)."""
    try:
        kind = json.loads(data)["type"] if isinstance(data, str) else None
    except (ValueError, TypeError, KeyError, RecursionError):  # '[' * 3000 is under 4 KiB
        kind = None
    if kind == "ping":
        return PONG
    return closing(UNSUPPORTED, "bad_message", 'a client may only send {"type": "ping"}')
