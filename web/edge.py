"""A stream edge: serves screens from what Redis holds, with no database (docs/deployment.md).

The origin (today's server, with `redis_url` set) owns the store, the console, the API and the
playlists, and writes each feed's snapshot and changes to Redis (web/redis_link.py). Edges, as
many as the screens need, each follow the feeds their screens watch (web/follower.py) and serve
`/ws/feeds/{feed}` with the same protocol, the pages and the widget's files. An edge keeps
serving what it has while the origin restarts or Redis is away, and says so in `/healthz`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.exceptions import RedisError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from ticker import protocol
from ticker.accounts import digest
from ticker.settings import Settings
from ticker.store import NotFound
from web import pages, screen_link, wsserver
from web.access import Access, TokensUnavailable
from web.follower import Copy, Follower, Unreachable
from web.hub import Hub, Outgoing
from web.lifetimes import cancelled, closed
from web.logs import keep_tokens_out
from web.redis_link import EDGE, MIRRORED, TOKENS, connect, text_of
from web.screen_relay import RedisDesk
from web.security import SecurityHeaders
from web.session import (
    UNAVAILABLE,
    UNKNOWN_FEED,
    Close,
    Since,
    closing,
    resuming,
)
from web.stream import feed_stream

REPORT_SECONDS = 2.0
REPORT_LIFE = 10  # seconds an edge's report stands: a killed edge leaves the list


@dataclass
class EdgeOpenings:
    """A new screen's first message from the edge's copy of its feed."""

    follower: Follower
    heartbeat: float

    async def first(self, feed: str, since: Since = None) -> Outgoing | Close:
        try:
            copy = await self.follower.load(feed)
        except NotFound as exc:
            return closing(UNKNOWN_FEED, "unknown_feed", str(exc))
        except Unreachable as exc:
            return closing(UNAVAILABLE, "feed_unavailable", str(exc))
        return self._opening(copy, since)

    def now(self, feed: str, since: Since = None) -> Outgoing | None:
        copy = self.follower.copy(feed)
        return None if copy is None else self._opening(copy, since)

    def _opening(self, copy: Copy, since: Since) -> Outgoing:
        missed = copy.since(*since) if since is not None else None
        if since is None or missed is None:
            return copy.snapshot
        return resuming(copy.feed, copy.epoch, since[1], self.heartbeat, missed)


class RedisTokens:
    """An edge's view of feeds' access and display tokens: the copy of each feed, and the
    tokens the origin mirrors to Redis (by digest). The last tokens read are kept, so a
    Redis outage neither lets a revoked token in nor turns away a screen with a good one."""

    def __init__(self, follower: Follower) -> None:
        self._follower = follower
        self._known: dict[str, dict[str, Any]] = {}

    def access_now(self, feed: str) -> str | None:
        copy = self._follower.copies.get(feed)
        return copy.access if copy is not None else None

    async def access_of(self, feed: str) -> str:
        return (await self._follower.load(feed)).access

    async def covering(self, feed: str, secret: str | None) -> str | None:
        if not secret:
            return None
        hashed = digest(secret)
        try:
            pipe = self._follower.redis.pipeline(transaction=False)
            pipe.hget(TOKENS, hashed)
            pipe.exists(MIRRORED)
            raw, mirrored = await pipe.execute()
        except RedisError as exc:  # what was read before holds while Redis is away
            if hashed not in self._known:
                raise TokensUnavailable(str(exc)) from exc
        else:
            if raw is not None:
                self._known[hashed] = json.loads(raw)
            elif mirrored:
                self._known.pop(hashed, None)
            elif hashed not in self._known:  # Redis lost the copy: not "revoked", "not now"
                raise TokensUnavailable("display tokens are not in Redis yet")
        token = self._known.get(hashed)
        return str(token["id"]) if token is not None and feed in token["feeds"] else None

    async def live(self) -> dict[str, tuple[str, ...]]:
        try:
            pipe = self._follower.redis.pipeline(transaction=True)
            pipe.hgetall(TOKENS)
            pipe.exists(MIRRORED)
            raw, mirrored = await pipe.execute()
        except RedisError as exc:
            raise TokensUnavailable(str(exc)) from exc
        if not mirrored:  # a Redis that restarted empty: no copy is not "every token revoked"
            raise TokensUnavailable("display tokens are not in Redis yet")
        self._known = {text_of(k): json.loads(v) for k, v in raw.items()}
        return {str(t["id"]): tuple(t["feeds"]) for t in self._known.values()}


@dataclass
class EdgeState:
    settings: Settings
    hub: Hub
    follower: Follower
    openings: EdgeOpenings
    access: Access
    desk: RedisDesk  # registered screens' hellos, answered from the origin's mirror
    name: str  # host:port, how the origin's /healthz lists it

    async def title_of(self, feed: str) -> str:
        return (await self.follower.load(feed)).title


async def beating(hub: Hub, every: float) -> None:
    """Each edge's own heartbeats: they say the link to this edge is alive."""
    while True:
        await asyncio.sleep(every)
        at = datetime.now(UTC).isoformat(timespec="seconds")
        hub.deliver_all(Outgoing(protocol.encode(protocol.heartbeat(at))))


def health(state: EdgeState) -> dict[str, Any]:
    """Up while it can serve screens; `redis` and `lag_seconds` say how fresh what it has is."""
    follower = state.follower
    lag = follower.lag()
    return {
        "ok": True,
        "role": "edge",
        "name": state.name,
        "clients": state.hub.count(),
        "redis": "up" if follower.up else "down",
        "redis_error": follower.error,
        "lag_seconds": None if lag is None else round(lag, 1),
        "feeds": {
            c.feed: {"epoch": c.epoch, "offset": c.offset, "history": len(c.recent)}
            for c in follower.copies.values()
        },
    }


async def healthz(request: Request) -> Response:
    return JSONResponse(health(request.app.state.voc))


async def reporting(state: EdgeState) -> None:
    """Tell the origin how this edge is, for its /healthz: one key per edge, gone with it.
    The first report waits a round, so that a starting edge does not say Redis is down
    before it has tried it."""
    while True:
        await asyncio.sleep(REPORT_SECONDS)
        with contextlib.suppress(RedisError):
            report = json.dumps(health(state))
            await state.follower.redis.set(EDGE + state.name, report, ex=REPORT_LIFE)


def create_edge_app(
    settings: Settings, redis_url: str, stream_socket: socket.socket | None = None
) -> Starlette:
    """An edge for these settings, following the origin through Redis at `redis_url`."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            redis = connect(redis_url)
            stack.push_async_callback(redis.aclose)
            hub = Hub()
            follower = Follower(redis, hub)
            openings = EdgeOpenings(follower, settings.heartbeat_seconds)
            access = Access(RedisTokens(follower), settings.display_token_check_seconds)
            desk = RedisDesk(redis)
            name = f"{socket.gethostname()}:{settings.port}"
            state = EdgeState(settings, hub, follower, openings, access, desk, name)
            app.state.voc = state
            keep_tokens_out()
            stack.push_async_callback(desk.beats.flush, desk.record)  # the last, then stop
            for work in (
                follower.run(),
                beating(hub, settings.heartbeat_seconds),
                access.run(),
                desk.beats.run(desk.record),
                reporting(state),
            ):
                task = asyncio.create_task(work)
                stack.push_async_callback(cancelled, task)
            if settings.stream_at:
                server = await wsserver.start(state, stream_socket)
                stack.push_async_callback(closed, server)
            yield

    routes = [
        Route("/", pages.index),
        Route("/embed/{feed}", pages.embed),
        Route("/display/{feed}", pages.display),
        Route("/healthz", healthz),
        Route("/sw.js", pages.service_worker),
        Route("/screen", pages.screen),
        Route("/screens/hello", screen_link.hello, methods=["POST"]),
        WebSocketRoute("/ws/feeds/{feed}", feed_stream),
        Mount("/static", StaticFiles(directory=pages.STATIC), name="static"),
    ]
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts)),
        Middleware(SecurityHeaders),
        Middleware(GZipMiddleware, minimum_size=1024),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
