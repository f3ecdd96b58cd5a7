"""What both kinds of load share: the tallies of who saw what, and the waits built on them."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Protocol

Json = dict[str, Any]  # a command from the coordinator, or an answer to it
EVENTS = ("remove", "add")  # what a hide and its put-back send every client


def reason(exc: BaseException) -> str:
    """A short, countable name for why a connection failed."""
    errno = getattr(exc, "errno", None)
    return f"{type(exc).__name__}({errno})" if errno else type(exc).__name__


class Peer(Protocol):
    """What the tallies need of any client: whether it is open, and how it was closed."""

    open: bool
    close_code: int | None


class LoadBase:
    """What both kinds of load process share: the tallies, and the waits built on them."""

    def __init__(self, count: int, concurrency: int, open_timeout: float) -> None:
        """Nothing is opened until the coordinator says `connect`, so all loads start together."""
        self.count, self.concurrency, self.open_timeout = count, concurrency, open_timeout
        self.clients: Sequence[Peer] = []
        self.tracked: set[str] = set()
        self.counts: Counter[tuple[str, str]] = Counter()
        self.errors: Counter[str] = Counter()
        self.open_count = 0
        self.received = 0  # messages but heartbeats, all clients: what a hide costs in frames
        self.mark = 0
        self.changed = asyncio.Event()  # set when a collect might be done: all saw it, or a close
        self.snapshot_ids: list[str] = []

    async def connect(self) -> Json:
        """Open every client, at most `concurrency` handshakes at once, and say how it went."""
        gate = asyncio.Semaphore(self.concurrency)
        start = time.monotonic()
        took = await asyncio.gather(*(self._open(gate) for _ in range(self.count)))
        ok = [round(t * 1000, 2) for t in took if t is not None]
        return {
            "connected": len(ok),
            "failed": self.count - len(ok),
            "errors": dict(self.errors),
            "seconds": round(time.monotonic() - start, 3),
            "connect_ms": ok,
            "snapshot_ids": self.snapshot_ids,
        }

    async def _open(self, gate: asyncio.Semaphore) -> float | None:
        """One client through handshake and snapshot; its time, or None (counted) on failure."""
        raise NotImplementedError

    def arm(self, ident: str) -> Json:
        """Watch `ident` from now on, forgetting earlier sightings, before the coordinator acts."""
        self.tracked.add(ident)
        for kind in EVENTS:
            self.counts.pop((kind, ident), None)
        self._forget(ident)
        self.mark = self.received
        return {"open": self.open_count}

    def _forget(self, ident: str) -> None:
        """Drop every client's sightings of `ident`."""
        raise NotImplementedError

    async def _wait_until(self, done: Callable[[], bool], within: float) -> None:
        """Wake at each `changed` until `done()` holds; after `within` s, give up quietly."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while not done():
                    self.changed.clear()
                    await self.changed.wait()

    async def collect(self, kind: str, ident: str, t0: float, within: float) -> Json:
        """Wait until every open client saw the event, or time runs out; latencies in ms."""
        key = (kind, ident)
        await self._wait_until(lambda: self.counts[key] >= self.open_count, within)
        seen, missing = self._sightings(key)
        return {
            "latencies_ms": [round((at - t0) * 1000, 3) for at in seen],
            "missing": missing,
            "open": self.open_count,
        }

    def _sightings(self, key: tuple[str, str]) -> tuple[list[float], int]:
        """When each client first saw `key`, and how many open clients have not."""
        raise NotImplementedError

    async def quiet(self, gap: float, within: float) -> Json:
        """Wait until no client got anything for `gap` s (bounded); messages since the last mark."""
        last = -1
        for _ in range(max(1, math.ceil(within / gap))):
            if self.received == last:
                break
            last = self.received
            await asyncio.sleep(gap)
        count, self.mark = self.received - self.mark, self.received
        return {"received": count, "open": self.open_count}

    def stats(self) -> Json:
        """Clients still open, and close codes of those the server (or the network) closed."""
        codes = Counter(str(c.close_code) for c in self.clients if not c.open)
        return {"open": self.open_count, "closed": dict(codes)}

    async def close(self) -> None:
        """Close every client politely, but give up after a few seconds."""
        raise NotImplementedError
