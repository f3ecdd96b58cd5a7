"""Shared fixtures: settings on a temp dir, a fresh store, and a real server on a free port."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from ticker.pipeline import Pipeline, numbered
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.server import uvicorn_options
from ticker.settings import Settings
from ticker.sources import Source
from ticker.store import Store
from web.app import create_app

UNIT = float(os.environ.get("VOC_TEST_TIMEOUT_UNIT", "1"))  # scale every wait on slow machines
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def tagger() -> Tagger:
    return Tagger()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=tmp_path / "voc.db", watch_seconds=0.05, heartbeat_seconds=20.0)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    s = Store(settings.db)
    yield s
    s.close()


def add(store: Store, tagger: Tagger, *verbatims: Verbatim) -> list[str]:
    """Ingest verbatims through the real pipeline; returns their ids."""
    pipeline = Pipeline(store, tagger, workers=1)
    for source in dict.fromkeys(v.source for v in verbatims):
        rows = [v for v in verbatims if v.source == source]
        pipeline.ingest(source, "test", "test", numbered(rows))
    return [v.key for v in verbatims]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Running:
    """A real uvicorn server in a thread, with the same settings the CLI would pass."""

    settings: Settings

    @property
    def port(self) -> int:
        return self.settings.port

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.settings.stream_at or self.port}"


def start_server(
    settings: Settings, stream: str = "http-port", sources: dict[str, Source] | None = None
) -> Iterator[Running]:
    """Serve on free ports; `stream-port` puts the stream on the websockets library's server."""
    port = free_port()
    stream_port = free_port() if stream == "stream-port" else 0
    settings = replace(settings, port=port, stream_port=stream_port, log_level="warning")
    app = create_app(settings, sources)
    with running(uvicorn.Config(app, lifespan="on", **uvicorn_options(settings))):
        yield Running(settings)


@pytest.fixture(params=["http-port", "stream-port"])
def server(request: pytest.FixtureRequest, settings: Settings, store: Store) -> Iterator[Running]:
    """A real server on a free port over the `store` fixture's database, once per stream server."""
    yield from start_server(settings, request.param)


@pytest.fixture
def client(server: Running) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.http) as c:
        yield c


@contextlib.contextmanager
def running(config: uvicorn.Config) -> Iterator[None]:
    """A real uvicorn server in a thread for the duration of the block."""
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10 * UNIT
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10 * UNIT)


@contextlib.contextmanager
def serve_asgi(app: Any) -> Iterator[str]:
    """Any ASGI app (a platform's fake) on a free loopback port; yields its base URL."""
    port = free_port()
    with running(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")):
        yield f"http://127.0.0.1:{port}"
