"""The application, assembled from explicit lists: routes, middleware and one lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from ingest import schedule
from ticker.judge import Judge
from ticker.outlets import Outlet
from ticker.pipeline import Pipeline
from ticker.readers import Readers
from ticker.settings import Settings
from ticker.sources import Source
from ticker.writer import Writer
from web import (
    api,
    api_actions,
    api_admin,
    api_curation,
    api_feeds,
    api_outlets,
    api_rules,
    api_screens,
    console,
    feeds_out,
    oidc,
    outlets,
    pages,
    screen_link,
    webhooks,
    wsserver,
)
from web.access import Access, StoreTokens
from web.beats import Beats
from web.console_stream import console_stream
from web.courier import Courier
from web.desk import StoreDesk
from web.hub import Broker, Hub, LocalBroker
from web.lifetimes import cancelled, closed
from web.live import Live
from web.logs import keep_tokens_out
from web.redis_link import RedisBroker
from web.screen_relay import OriginRelay
from web.security import SecurityHeaders
from web.session import Openings
from web.state import AppState
from web.stream import feed_stream

STATIC = pages.STATIC
OPERATIONS = [
    *api_curation.OPERATIONS,
    *api_actions.OPERATIONS,
    *api_feeds.OPERATIONS,
    *api_admin.OPERATIONS,
    *api_outlets.OPERATIONS,
    *api_rules.OPERATIONS,
    *api_screens.OPERATIONS,
]
API_VERSION = "1.0.0"


async def openapi_document(request: Request) -> Response:
    """The API's OpenAPI 3.1 document, made from the same list as its routes."""
    return JSONResponse(api.openapi(OPERATIONS, API_VERSION))


def create_app(
    settings: Settings,
    sources: dict[str, Source] | None = None,
    judge: Judge | None = None,
    stream_socket: socket.socket | None = None,
    writer: Writer | None = None,
    broker: Broker | None = None,
    outlets_config: dict[str, Outlet] | None = None,
) -> Starlette:
    """The VoC Ticker app for these settings; the store opens when the app starts.

    Settings and sources are handed over as objects (never through environment variables);
    the judge is built from the settings unless given, so a bad mask pattern fails here. The
    stream server listens on `stream_socket` when one is given, else on `settings.stream_at`.
    A `writer` handed in is the process's one writer, shared (the demo's trickle writes
    through it) and left open; otherwise the app opens its own and closes it. `broker` carries
    playlist changes to the screens (in memory unless given; Redis for many processes).
    `outlets_config` are the Slack and Teams destinations ([outlets] of the config file).
    """
    judge = judge or Judge.from_settings(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:  # stopped in reverse, whatever fails
            own = writer
            if own is None:
                own = await asyncio.to_thread(Writer, settings.db)  # opens and migrates
                stack.callback(own.close)
            readers = Readers(settings.db)
            stack.callback(readers.close)
            playlist_reader = Readers(settings.db, threads=1, name="voc-playlists")
            stack.callback(playlist_reader.close)
            carrier = broker or (
                RedisBroker(settings.redis_url, settings.heartbeat_seconds)
                if settings.redis_url
                else LocalBroker()
            )
            await carrier.start()
            stack.push_async_callback(carrier.stop)
            hub = Hub(carrier)
            live = Live(
                playlist_reader,
                hub,
                settings.display_chars,
                settings.heartbeat_seconds,
                every=bool(settings.redis_url),
            )
            desk = StoreDesk(readers, own, Beats())
            relay = None
            if isinstance(carrier, RedisBroker):  # a restart: screens keep their epoch
                await live.resume(await carrier.left())
                relay = OriginRelay(carrier.url, readers, desk)
                stack.push_async_callback(relay.close)
            state = AppState(
                settings=settings,
                sources=dict(sources or {}),
                readers=readers,
                pipeline=Pipeline(own, judge, workers=1),
                hub=hub,
                live=live,
                openings=Openings(live.load, live.cached, settings.heartbeat_seconds),
                access=Access(
                    StoreTokens(readers, live.feed_of),
                    settings.display_token_check_seconds,
                    relay.mirror if relay is not None else None,
                ),
                desk=desk,
                outlets=dict(outlets_config or {}),
            )
            app.state.voc = state
            keep_tokens_out()  # after uvicorn configured its loggers
            watcher = asyncio.create_task(live.run(settings.watch_seconds))
            stack.push_async_callback(cancelled, watcher)
            stack.push_async_callback(cancelled, asyncio.create_task(state.access.run()))
            stack.push_async_callback(desk.beats.flush, desk.record)  # the last beats, then stop
            stack.push_async_callback(cancelled, asyncio.create_task(desk.beats.run(desk.record)))
            if relay is not None:  # screens on edges: their hellos come through Redis
                stack.push_async_callback(cancelled, asyncio.create_task(relay.run()))
            if settings.pull_in_server:
                state.scheduler = schedule.start(state.pipeline, state.sources)
                if state.scheduler is not None:
                    stack.callback(state.scheduler.shutdown, wait=False)
            if state.outlets:
                state.courier = Courier.from_settings(settings)
                stack.push_async_callback(state.courier.close)
                made = outlets.start(state)
                if made is not None:
                    stack.callback(made.shutdown, wait=False)
            if settings.stream_at:
                stack.push_async_callback(closed, await wsserver.start(state, stream_socket))
            yield

    routes = [
        Route("/", pages.index),
        Route("/embed/{feed}", pages.embed),
        Route("/display/{feed}", pages.display),
        Route("/healthz", pages.healthz),
        Route("/sw.js", pages.service_worker),
        Route("/screen", pages.screen),
        Route("/screens/hello", screen_link.hello, methods=["POST"]),
        Route("/feeds/{file}", feeds_out.serve_feed),
        Route("/api/openapi.json", openapi_document),
        *api.routes(OPERATIONS),
        Route("/console", console.queue_page),
        Route("/console/feeds", console.feeds_page),
        Route("/console/feeds/{feed}", console.feed_page),
        Route("/console/actions", console.actions_page),
        Route("/console/log", console.log_page),
        Route("/console/sources", console.sources_page),
        Route("/console/rules", console.rules_page),
        Route("/console/outlets", console.outlets_page),
        Route("/console/screens", console.screens_page),
        Route("/console/users", console.users_page),
        Route("/console/signin", console.signin, methods=["GET", "POST"]),
        Route("/console/signout", console.signout, methods=["POST"]),
        Route("/console/oidc/start", oidc.start),
        Route("/console/oidc/callback", oidc.callback),
        WebSocketRoute("/ws/console", console_stream),
        Route("/webhooks/{source}", webhooks.receive, methods=["POST"]),
        WebSocketRoute("/ws/feeds/{feed}", feed_stream),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts)),
        Middleware(SecurityHeaders),
        Middleware(GZipMiddleware, minimum_size=1024),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error},
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    """The router's 404 and 405: JSON under /api/ (as every answer there), plain elsewhere."""
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith("/api/"):
        return api.error(exc.status_code, str(exc.detail), dict(exc.headers or {}))
    return PlainTextResponse(str(exc.detail), exc.status_code, headers=exc.headers)
