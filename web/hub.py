"""The hub: who watches which feed, and a bound on each client so no one waits for the slowest.

Publishing never awaits: a message is encoded once and handed to each subscriber, which either
takes it at once or refuses it because the client has fallen too far behind. A refused
subscriber leaves the hub at once and its connection is aborted (a close frame would only queue
behind the backlog); the client reconnects and gets a fresh snapshot, which is cheaper for
everyone than buffering without bound.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from websockets.frames import Frame, Opcode

from ticker import protocol
from ticker.playlist import Shown

TOO_SLOW = 1013
TOO_SLOW_ERROR = protocol.encode(
    protocol.error("too_slow", "client fell behind; reconnect for a fresh snapshot")
)


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


class Broker(Protocol):
    """Carries each feed's messages to the hub of every process that serves screens.

    In memory for one process; a Redis broker (for many processes) is another implementation,
    handed to `create_app`, which starts it before the first screen and stops it at the end.
    """

    async def start(self) -> None:
        """Connect (to Redis, say) before anything is published."""
        ...

    async def stop(self) -> None:
        """Disconnect; nothing is published after this."""
        ...

    def attach(self, hub: Hub) -> None:
        """Deliver what is published to this hub's subscribers from now on."""
        ...

    def publish(self, feed: str, message: Outgoing, shown: Shown | None) -> None:
        """Send a feed's message (its changes since the last) to every attached hub; `shown`
        is the feed after them (None: it is gone), for a broker that keeps each feed's
        snapshot (Redis)."""
        ...


class LocalBroker:
    """The broker of one process: publishing is delivering, at once, on the same loop."""

    def __init__(self) -> None:
        self._hubs: list[Hub] = []

    async def start(self) -> None:
        """Nothing to connect to."""

    async def stop(self) -> None:
        self._hubs.clear()

    def attach(self, hub: Hub) -> None:
        self._hubs.append(hub)

    def publish(self, feed: str, message: Outgoing, shown: Shown | None) -> None:
        for hub in self._hubs:
            hub.deliver(feed, message)


class Hub:
    """Feed name -> subscribers of this process, on one event loop; changes come by a broker."""

    def __init__(self, broker: Broker | None = None) -> None:
        self._feeds: dict[str, set[Subscriber]] = {}
        self.broker = broker or LocalBroker()
        self.broker.attach(self)

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

    def publish(self, feed: str, message: Outgoing, shown: Shown | None) -> None:
        """Send a feed's change to its screens, in this process and any other the broker links."""
        self.broker.publish(feed, message, shown)

    def deliver(self, feed: str, message: Outgoing) -> int:
        """Hand a message to this process's subscribers of the feed; how many took it (none of
        an empty one: a change of the feed's definition alone, for edges)."""
        taken = 0
        if not message.texts:
            return taken
        for sub in list(self._feeds.get(feed, ())):
            if sub.deliver(message):
                taken += 1
            else:
                self._discard(feed, sub)
        return taken

    def deliver_all(self, message: Outgoing) -> int:
        """Hand a message to every subscriber here (heartbeats are each process's own)."""
        return sum(self.deliver(feed, message) for feed in list(self._feeds))

    def feeds(self) -> list[str]:
        """Feeds that have at least one subscriber."""
        return list(self._feeds)

    def count(self) -> int:
        return sum(len(s) for s in self._feeds.values())
