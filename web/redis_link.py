"""The origin's side of Redis: each feed's snapshot and a bounded history of its changes, which
edges (web/edge.py) serve screens from.

Per feed, a hash holds the snapshot a new screen gets (with its epoch and offset, title and
access) and a stream holds its changes, one entry per playlist change, trimmed to about
`LOG_ENTRIES`. The hash and the entry are written in one transaction, so an edge that has read
an entry finds a snapshot at least that new. Publishing never waits for Redis: changes queue in
memory and one task writes them. When Redis is unreachable, the queue collapses to the latest
snapshot of each feed, written (as a snapshot entry) when Redis is back; an edge then sends it to
its screens, so nothing is lost and memory stays bounded however long the outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from ticker import protocol
from ticker.playlist import Shown, snapshot_message
from web.hub import Hub, Outgoing

PREFIX = "voc:"
ORIGIN = PREFIX + "origin"  # when the origin last wrote: edges report their lag from it
TOKENS = PREFIX + "tokens"  # display tokens by digest: edges check screens against them
MIRRORED = PREFIX + "mirrored"  # when the origin last mirrored them: none, none to trust yet
EDGE = PREFIX + "edge:"  # each edge's own report (web/edge.py), for the origin's /healthz
EDGE_FIELDS = ("name", "clients", "redis", "lag_seconds")
LOG_ENTRIES = 1000
ALIVE_SECONDS = 2.0
SNAPSHOT = '{"type":"snapshot"'
log = logging.getLogger("voc_ticker.redis")


def text_of(value: object) -> str:
    """A value as redis-py gives it (bytes), as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


def feed_key(feed: str) -> str:
    return f"{PREFIX}feed:{feed}"


def log_key(feed: str) -> str:
    return f"{PREFIX}log:{feed}"


def shown(url: str) -> str:
    """The URL without its password, for logs and messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def connect(url: str) -> Redis:
    """A client that fails fast: a screen's change must not wait on a dead Redis."""
    return Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, retry_on_timeout=False)


@dataclass
class Link:
    """How the origin's link to Redis is, for /healthz."""

    up: bool = False
    error: str = ""
    written_at: float = 0.0
    queued: int = 0
    resyncs: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "redis": "up" if self.up else "down",
            "error": self.error,
            "queued": self.queued,
            "written_seconds_ago": round(time.monotonic() - self.written_at, 1)
            if self.written_at
            else None,
        }


@dataclass
class RedisBroker:
    """Delivers a feed's changes in this process at once and writes them to Redis for edges."""

    url: str
    heartbeat: float
    link: Link = field(default_factory=Link)
    _hubs: list[Hub] = field(default_factory=list)
    _queue: list[tuple[str, Outgoing, Shown | None]] = field(default_factory=list)
    _stale: dict[str, Shown | None] = field(default_factory=dict)  # to resync after an outage
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    _redis: Redis | None = None

    async def start(self) -> None:
        self._redis = connect(self.url)
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(RedisError):
            await self._write()  # what is left, if Redis is there
        if self._redis is not None:
            await self._redis.aclose()
        self._hubs.clear()

    def attach(self, hub: Hub) -> None:
        self._hubs.append(hub)

    async def left(self) -> dict[str, protocol.Snapshot]:
        """The snapshots an origin before this one left, by feed (none if Redis is away)."""
        assert self._redis is not None
        found: dict[str, protocol.Snapshot] = {}
        try:
            async for key in self._redis.scan_iter(match=feed_key("*"), count=500):
                raw = await self._redis.hget(key, "snapshot")
                if raw is not None:
                    found[text_of(key)[len(feed_key("")) :]] = json.loads(raw)
        except (RedisError, ValueError) as exc:
            log.warning("no snapshots to resume from Redis (%s): screens get new ones", exc)
            return {}
        self.link.up = True  # reachable: the first changes go as changes, not snapshots
        return found

    async def edges(self) -> list[dict[str, Any]]:
        """What each live edge last reported, by name (none while Redis is away)."""
        assert self._redis is not None
        found: list[dict[str, Any]] = []
        with contextlib.suppress(RedisError, ValueError):
            keys = [key async for key in self._redis.scan_iter(match=EDGE + "*", count=500)]
            for raw in await self._redis.mget(keys) if keys else []:
                if raw is not None:
                    report = json.loads(raw)
                    found.append({k: report.get(k) for k in EDGE_FIELDS})
        return sorted(found, key=lambda e: str(e["name"]))

    def publish(self, feed: str, message: Outgoing, shown: Shown | None) -> None:
        for hub in self._hubs:
            hub.deliver(feed, message)
        if self.link.up:
            self._queue.append((feed, message, shown))
        else:
            self._stale[feed] = shown  # Redis is away: its latest snapshot will do
        self.link.queued = len(self._queue) + len(self._stale)
        self._wake.set()

    async def _run(self) -> None:
        pause = 0.5
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(ALIVE_SECONDS):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self._write()
            except RedisError as exc:
                if self.link.up or self.link.error != str(exc):
                    log.warning(
                        "Redis at %s is unreachable (%s); screens on edges keep "
                        "what they have until it is back",
                        shown(self.url),
                        exc,
                    )
                self.link.up, self.link.error = False, str(exc)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 3.0)
                self._wake.set()
                continue
            if not self.link.up:
                log.info(
                    "Redis at %s is back; %d feeds resynchronised",
                    shown(self.url),
                    self.link.resyncs,
                )
            self.link.up, self.link.error, pause = True, "", 0.5

    async def _write(self) -> None:
        """Write what is queued, in one transaction; on failure keep each feed's latest state."""
        assert self._redis is not None
        queued, self._queue = self._queue, []
        stale, self._stale = self._stale, {}
        pipe = self._redis.pipeline(transaction=True)
        for feed, shown in stale.items():  # first: the changes queued after them build on them
            self._entry(pipe, feed, None, shown)
        for feed, message, shown in queued:
            self._entry(pipe, feed, message, shown)
        pipe.set(ORIGIN, datetime.now(UTC).isoformat(), ex=60)
        try:
            await pipe.execute()
        except RedisError:
            # Oldest first, each feed's newest state winning: this write, the changes queued
            # while it hung (Redis still counted up), those made since it was known away.
            for feed, _, shown in [*queued, *self._queue]:
                stale[feed] = shown
            self._queue, self._stale = [], {**stale, **self._stale}
            self.link.queued = len(self._stale)
            raise
        self.link.resyncs = len(stale)
        self.link.written_at = time.monotonic()
        self.link.queued = len(self._queue) + len(self._stale)

    def _entry(
        self, pipe: Pipeline, feed: str, message: Outgoing | None, shown: Shown | None
    ) -> None:
        """A change (or, with no message, a snapshot; with an empty one, a change of the
        feed's definition alone: its title or access) of `feed` into the transaction."""
        if shown is None:  # the feed is gone: edges close its screens as unknown
            pipe.delete(feed_key(feed))
            pipe.xadd(log_key(feed), {"gone": "1"}, maxlen=LOG_ENTRIES, approximate=True)
            return
        snapshot = protocol.encode(snapshot_message(shown, self.heartbeat))
        texts = list(message.texts) if message is not None else [snapshot]
        whole = bool(texts) and texts[0].startswith(SNAPSHOT)
        first = shown.offset if whole else shown.offset - len(texts) + 1  # none: offset + 1
        pipe.hset(
            feed_key(feed),
            mapping={
                "epoch": shown.epoch,
                "offset": shown.offset,
                "snapshot": snapshot,
                "title": shown.feed.title,
                "access": shown.feed.access,
            },
        )
        pipe.xadd(
            log_key(feed),
            {
                "epoch": shown.epoch,
                "first": first,
                "last": shown.offset,
                "texts": json.dumps([snapshot] if whole else texts, ensure_ascii=False),
                "title": shown.feed.title,
                "access": shown.feed.access,  # edges close screens a token feed no longer lets in
            },
            maxlen=LOG_ENTRIES,
            approximate=True,
        )
