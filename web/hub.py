"""The hub: who watches which feed, and a bound on each client so no one waits for the slowest.

Publishing never awaits: a message is encoded once and handed to each subscriber, which either
takes it at once or refuses it because the client has fallen too far behind. A refused
subscriber leaves the hub at once and its connection is aborted (a close frame would only queue
behind the backlog); the client reconnects and gets a fresh snapshot, which is cheaper for
everyone than buffering without bound.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from websockets.frames import Frame, Opcode

TOO_SLOW = 1013


def encode(message: dict[str, Any]) -> str:
    """One JSON text per message, shared by every client that receives it."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def error(code: str, message: str) -> str:
    """The `error` message sent just before a close (docs/protocol.md)."""
    return encode({"type": "error", "code": code, "message": message})


TOO_SLOW_ERROR = error("too_slow", "client fell behind; reconnect for a fresh snapshot")


class Outgoing:
    """Messages for many clients, encoded once in each form a socket server needs.

    The events of one playlist change travel together: one write per client, not one per event.
    """

    __slots__ = ("_frames", "size", "texts")

    def __init__(self, *texts: str) -> None:
        self.texts = texts
        self.size = sum(len(t) for t in texts)
        self._frames: bytes | None = None

    @property
    def frames(self) -> bytes:
        """The websocket frames; a server's frames are unmasked, so every client's are equal."""
        if self._frames is None:
            self._frames = b"".join(
                Frame(Opcode.TEXT, t.encode()).serialize(mask=False) for t in self.texts
            )
        return self._frames


class Subscriber(Protocol):
    """One client's end of the hub, whatever serves its socket."""

    def deliver(self, message: Outgoing) -> bool:
        """Take a message now, or return False when the client is too far behind (never blocks)."""
        ...


class Hub:
    """Feed name -> subscribers; in-process, one event loop."""

    def __init__(self) -> None:
        self._feeds: dict[str, set[Subscriber]] = {}

    @contextmanager
    def subscribe(self, feed: str, sub: Subscriber) -> Iterator[Subscriber]:
        """Watch a feed for the duration of the block; always unsubscribed at the end."""
        self._feeds.setdefault(feed, set()).add(sub)
        try:
            yield sub
        finally:
            self._discard(feed, sub)

    def _discard(self, feed: str, sub: Subscriber) -> None:
        subs = self._feeds.get(feed)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._feeds[feed]

    def publish(self, feed: str, message: Outgoing) -> int:
        """Hand a message to every subscriber of the feed; returns how many took it."""
        taken = 0
        for sub in list(self._feeds.get(feed, ())):
            if sub.deliver(message):
                taken += 1
            else:
                self._discard(feed, sub)
        return taken

    def publish_all(self, message: Outgoing) -> int:
        """Hand a message to every subscriber of every feed (heartbeats)."""
        return sum(self.publish(feed, message) for feed in list(self._feeds))

    def feeds(self) -> list[str]:
        """Feeds that have at least one subscriber."""
        return list(self._feeds)

    def count(self) -> int:
        return sum(len(s) for s in self._feeds.values())
