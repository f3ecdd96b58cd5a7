"""An edge's copy of the feeds its screens watch, followed from Redis (web/redis_link.py).

For each watched feed the edge holds the latest snapshot and the last changes, as the origin
wrote them: a new screen gets the snapshot, a reconnecting one what it missed. One task reads
every watched feed's stream with one blocking XREAD and hands each change to the hub as it
comes, encoded once. If Redis goes away the copies stay and screens keep what they have; when
it is back the task reads on from where it stopped, or, where the stream no longer reaches back
(or the origin started a new epoch), sends screens the snapshot.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from ticker.playlist import HISTORY
from ticker.store import NotFound
from web.hub import Hub, Outgoing
from web.redis_link import ORIGIN, SNAPSHOT, feed_key, log_key, text_of
from web.session import NotNow

BLOCK_MS = 1000
FORGET_AFTER = 300.0  # seconds a feed nobody watches is kept
NEW_FEED_WAITS = (0.1, 0.1, 0.2, 0.2, 0.4, 0.4, 0.8, 0.8)  # 3 s for a new feed to come
log = logging.getLogger("voc_ticker.edge")


class Unreachable(NotNow):
    """Redis is away and the edge has no copy of the feed: the screen must try again."""


@dataclass
class Copy:
    """What the edge has of one feed."""

    feed: str
    epoch: str
    offset: int  # of the last change read from the stream
    snapshot: Outgoing
    snapshot_offset: int
    title: str
    access: str
    read_to: str  # the stream id read up to
    recent: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=HISTORY))
    seen: float = field(default_factory=time.monotonic)

    def since(self, epoch: str, offset: int) -> list[str] | None:
        """The changes after `offset` if they are all here (docs/protocol.md, resuming). A
        screen may be ahead of the stream read here, by the snapshot it got: up to date."""
        if epoch != self.epoch or offset < 0 or offset > max(self.offset, self.snapshot_offset):
            return None
        if offset >= self.offset:
            return []
        if not self.recent or self.recent[0][0] > offset + 1:
            return None
        return [text for number, text in self.recent if number > offset]


def _history(copy: Copy, entries: Any) -> list[tuple[int, str]]:
    """The changes up to the copy's offset that the stream still holds, oldest first: so a
    screen that moves here from another edge resumes instead of starting over."""
    found: list[tuple[int, str]] = []
    expected = copy.offset
    for _, raw in entries:  # newest first; stop at a gap, another epoch or a snapshot
        fields = {text_of(k): text_of(v) for k, v in raw.items()}
        if fields.get("epoch") != copy.epoch or int(fields.get("last", -1)) != expected:
            break
        texts: list[str] = json.loads(fields["texts"])
        if not texts:
            continue  # the feed's title or access changed: no change of what screens show
        first = int(fields["first"])
        if texts[0].startswith(SNAPSHOT) or first + len(texts) - 1 != expected:
            break
        found[:0] = zip(range(first, expected + 1), texts, strict=True)
        expected = first - 1
    return found[-HISTORY:]


@dataclass
class Follower:
    """The copies, and the task that keeps them and the hub's screens up to date."""

    redis: Redis
    hub: Hub
    copies: dict[str, Copy] = field(default_factory=dict)
    up: bool = False
    error: str = ""
    origin_at: str | None = None
    _loads: dict[str, asyncio.Task[Copy]] = field(default_factory=dict)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    def copy(self, feed: str) -> Copy | None:
        found = self.copies.get(feed)
        if found is not None:
            found.seen = time.monotonic()
        return found

    async def load(self, feed: str) -> Copy:
        """The feed's copy, read from Redis once however many screens ask at the same time;
        NotFound when the origin has no such feed."""
        found = self.copy(feed)
        if found is not None:
            return found
        task = self._loads.get(feed)
        if task is None:
            task = self._loads[feed] = asyncio.create_task(self._load(feed))
            task.add_done_callback(lambda _: self._loads.pop(feed, None))
        return await asyncio.shield(task)

    async def _load(self, feed: str) -> Copy:
        waits = iter(NEW_FEED_WAITS)  # a feed made a moment ago is on its way from the origin
        while True:
            pipe = self.redis.pipeline(transaction=True)  # the snapshot and where its stream is
            pipe.hgetall(feed_key(feed))
            pipe.xrevrange(log_key(feed), count=HISTORY)  # its recent changes, newest first
            try:
                state, last = await pipe.execute()
            except RedisError as exc:
                self._down(exc)
                raise Unreachable(
                    f"feed {feed!r} cannot be read now: Redis is unreachable"
                ) from exc
            if state:
                break
            wait = next(waits, None)
            if wait is None:
                raise NotFound(f"there is no feed named {feed!r}")
            await asyncio.sleep(wait)
        fields = {text_of(k): text_of(v) for k, v in state.items()}
        copy = Copy(
            feed,
            fields["epoch"],
            int(fields["offset"]),
            Outgoing(fields["snapshot"]),
            int(fields["offset"]),
            fields["title"],
            fields.get("access", "open"),
            text_of(last[0][0]) if last else "0-0",
        )
        copy.recent.extend(_history(copy, last))
        self.copies[feed] = copy
        self._wake.set()  # the reader adds the new stream to its XREAD
        return copy

    async def run(self) -> None:
        """Until cancelled: read every watched feed's changes and hand them to the hub."""
        pause = 0.5
        while True:
            try:
                await self._read()
                if not self.up:
                    log.info("Redis is reachable; following %d feeds", len(self.copies))
                self.up, self.error, pause = True, "", 0.5
            except RedisError as exc:
                self._down(exc)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 3.0)

    def _down(self, exc: Exception) -> None:
        if self.up:
            log.warning("Redis is unreachable (%s): screens keep what they have", exc)
        self.up, self.error = False, str(exc) or type(exc).__name__

    async def _read(self) -> None:
        self._forget_unwatched()
        origin = await self.redis.get(ORIGIN)
        self.origin_at = text_of(origin) if origin is not None else None
        if not self.copies:
            self._wake.clear()
            try:
                async with asyncio.timeout(BLOCK_MS / 1000):
                    await self._wake.wait()
            except TimeoutError:
                pass
            return
        streams: dict[Any, Any] = {log_key(c.feed): c.read_to for c in self.copies.values()}
        found: Any = await self.redis.xread(streams, count=500, block=BLOCK_MS)
        for key, entries in found or []:
            copy = self.copies.get(text_of(key)[len(log_key("")) :])
            if copy is None:
                continue
            for entry_id, fields in entries:
                await self._apply(
                    copy, text_of(entry_id), {text_of(k): text_of(v) for k, v in fields.items()}
                )

    async def _apply(self, copy: Copy, entry_id: str, fields: dict[str, str]) -> None:
        copy.read_to = entry_id
        if fields.get("gone"):
            self.copies.pop(copy.feed, None)
            return
        copy.title = fields.get("title", copy.title)
        copy.access = fields.get("access", copy.access)
        texts: list[str] = json.loads(fields["texts"])
        epoch, first, last = fields["epoch"], int(fields["first"]), int(fields["last"])
        if texts and texts[0].startswith(SNAPSHOT):
            if epoch == copy.epoch and last == copy.offset:
                return  # the origin resynchronised to what screens have
            self._reset(copy, epoch, last, texts[0])
            return
        if epoch != copy.epoch or first != copy.offset + 1:
            if epoch == copy.epoch and last <= copy.offset:
                return  # read already (a snapshot got ahead of the stream)
            await self._resync(copy)  # a gap: the stream was trimmed, or a new epoch
            return
        fresh = None
        if last > copy.snapshot_offset or not texts:  # a screen that comes after this needs it
            fresh = await self.redis.hmget(feed_key(copy.feed), ["snapshot", "offset", "epoch"])
        if fresh is not None and fresh[2] is not None and text_of(fresh[2]) != copy.epoch:
            await self._resync(copy)  # since the stream was read, the origin began a new epoch
            return
        # From here on nothing waits: the change goes out with the snapshot that holds it (or,
        # the origin having written more meanwhile, a later one), so a screen gets either the
        # old snapshot and then the change, or the new one.
        copy.offset = last
        copy.recent.extend(zip(range(first, last + 1), texts, strict=True))
        if fresh is not None and fresh[0] is not None and fresh[1] is not None:
            copy.snapshot, copy.snapshot_offset = Outgoing(text_of(fresh[0])), int(fresh[1])
        self.hub.deliver(copy.feed, Outgoing(*texts))

    def _reset(self, copy: Copy, epoch: str, offset: int, snapshot: str) -> None:
        copy.epoch, copy.offset, copy.snapshot_offset = epoch, offset, offset
        copy.snapshot = Outgoing(snapshot)
        copy.recent.clear()
        self.hub.deliver(copy.feed, copy.snapshot)  # screens replace what they had

    async def _resync(self, copy: Copy) -> None:
        state = await self.redis.hgetall(feed_key(copy.feed))
        if not state:
            self.copies.pop(copy.feed, None)
            return
        fields = {text_of(k): text_of(v) for k, v in state.items()}
        copy.title, copy.access = fields["title"], fields.get("access", "open")
        self._reset(copy, fields["epoch"], int(fields["offset"]), fields["snapshot"])

    def _forget_unwatched(self) -> None:
        now, watched = time.monotonic(), set(self.hub.feeds())
        for name, copy in list(self.copies.items()):
            if name in watched:
                copy.seen = now
            elif now - copy.seen > FORGET_AFTER:
                del self.copies[name]

    def lag(self) -> float | None:
        """Seconds since the origin last wrote to Redis (it writes every two at least)."""
        if self.origin_at is None:
            return None
        return (datetime.now(UTC) - datetime.fromisoformat(self.origin_at)).total_seconds()
