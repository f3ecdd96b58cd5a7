"""The hub: who watches which feed, and a bounded queue per client so no one waits for the slowest.

Publishing never awaits: a message is encoded once and appended to each subscriber's queue. A
subscriber whose queue is full is told to close (1013, too slow); it reconnects and gets a fresh
snapshot, which is cheaper for everyone than buffering without bound.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

TOO_SLOW = 1013


def encode(message: dict[str, Any]) -> str:
    """One JSON text per message, shared by every client that receives it."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def error(code: str, message: str) -> str:
    return encode({"type": "error", "code": code, "message": message})


class Subscriber:
    """One client's bounded queue; the client's sender drains it with `next()`."""

    __slots__ = ("_messages", "_size", "_wake", "closing")

    def __init__(self, size: int) -> None:
        self._messages: deque[str] = deque()
        self._size = size
        self._wake = asyncio.Event()
        self.closing: tuple[int, str] | None = None

    def deliver(self, text: str) -> bool:
        """Queue a message; on overflow ask the client to close instead. Never blocks."""
        if self.closing is not None:
            return False
        if len(self._messages) >= self._size:
            self.close(TOO_SLOW, error("too_slow", "client fell behind; reconnect for a snapshot"))
            return False
        self._messages.append(text)
        self._wake.set()
        return True

    def close(self, code: int, message: str = "") -> None:
        """Ask the sender to send `message` (if any) and close with `code`; drops the queue."""
        if self.closing is None:
            self.closing = (code, message)
            self._messages.clear()
            self._wake.set()

    async def next(self) -> str | None:
        """The next message to send, or None when the client must close."""
        while self.closing is None:
            if self._messages:
                return self._messages.popleft()
            self._wake.clear()
            await self._wake.wait()
        return None


class Hub:
    """Feed name -> subscribers; in-process, one event loop."""

    def __init__(self, queue_size: int) -> None:
        self.queue_size = queue_size
        self._feeds: dict[str, set[Subscriber]] = {}

    @asynccontextmanager
    async def subscribe(self, feed: str) -> AsyncIterator[Subscriber]:
        """A subscriber for the feed, always removed when the block ends."""
        sub = Subscriber(self.queue_size)
        self._feeds.setdefault(feed, set()).add(sub)
        try:
            yield sub
        finally:
            subs = self._feeds.get(feed)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._feeds[feed]

    def publish(self, feed: str, text: str) -> int:
        """Queue an encoded message for every subscriber of the feed; returns how many took it."""
        return sum(sub.deliver(text) for sub in list(self._feeds.get(feed, ())))

    def publish_all(self, text: str) -> int:
        """Queue a message for every subscriber of every feed (heartbeats)."""
        return sum(self.publish(feed, text) for feed in list(self._feeds))

    def feeds(self) -> list[str]:
        """Feeds that have at least one subscriber."""
        return list(self._feeds)

    def count(self) -> int:
        return sum(len(s) for s in self._feeds.values())
