"""The application, assembled from explicit lists: routes, middleware and one lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from ingest import schedule
from ticker.playlist import Playlists
from ticker.redact import Redactor
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.sources import Source, load_sources
from ticker.store import Store
from web import live, pages, webhooks, wsserver
from web.hub import Hub
from web.security import SecurityHeaders
from web.state import AppState
from web.stream import feed_stream

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings, sources: dict[str, Source] | None = None) -> Starlette:
    """The VoC Ticker app for these settings; the store opens when the app starts."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = Store(settings.db)
        state = AppState(
            settings,
            store,
            Hub(),
            Playlists(store, settings.display_chars),
            Tagger(score_chars=settings.score_chars),
            Redactor(settings.phone_regions, settings.mask_patterns),
            dict(sources or {}),
        )
        app.state.voc = state
        watcher = asyncio.create_task(live.run(state))
        state.scheduler = (
            schedule.start(settings, state.sources) if settings.pull_in_server else None
        )
        stream = await wsserver.start(state) if settings.stream_at else None
        try:
            yield
        finally:
            if state.scheduler is not None:
                state.scheduler.shutdown(wait=False)
            if stream is not None:
                stream.close()
                await stream.wait_closed()
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            store.close()

    routes = [
        Route("/", pages.index),
        Route("/embed/{feed}", pages.embed),
        Route("/display/{feed}", pages.display),
        Route("/healthz", pages.healthz),
        Route("/api/sources", pages.sources),
        Route("/webhooks/{source}", webhooks.receive, methods=["POST"]),
        WebSocketRoute("/ws/feeds/{feed}", feed_stream),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts)),
        Middleware(SecurityHeaders),
        Middleware(GZipMiddleware, minimum_size=1024),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def from_environment() -> Starlette:
    """The uvicorn factory: settings from VOC_* variables (and VOC_CONFIG), read at start."""
    config = os.environ.get("VOC_CONFIG")
    return create_app(Settings.load(), load_sources(Path(config) if config else None))
