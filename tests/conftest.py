"""Shared fixtures: settings on a temp dir, a fresh store, and a real server on port 0.

Servers listen on sockets bound to port 0 and handed to them (never a port found free and
released, which another process may take meanwhile), and every server is a context manager,
stopped even when the test's assertion fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests.redis_server import REDIS, RedisServer
from ticker.accounts import Accounts
from ticker.judge import Judge
from ticker.outlets import Outlet
from ticker.passwords import hash_password
from ticker.pipeline import Pipeline, numbered
from ticker.records import Verbatim
from ticker.redact import Redactor
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.sources import Source
from ticker.store import NotFound, Store
from voc.server import bind, uvicorn_options
from web.app import create_app
from web.edge import create_edge_app

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
    pipeline = Pipeline(store, Judge(tagger, Redactor()), workers=1)
    for source in dict.fromkeys(v.source for v in verbatims):
        rows = [v for v in verbatims if v.source == source]
        pipeline.ingest(source, "test", "test", numbered(rows))
    return [v.key for v in verbatims]


def wait_quietly(seconds: float) -> None:
    """Wait to see that nothing happens: always a multiple of the test time unit."""
    time.sleep(seconds * UNIT)


@dataclass
class Running:
    """A real uvicorn server in a thread, with the same settings the CLI would pass; with
    `stream`, screens connect there instead (an edge of this server, the origin)."""

    settings: Settings
    stream: str | None = None
    edge: str | None = None  # the edge's own pages, where screens load the widget from

    @property
    def port(self) -> int:
        return self.settings.port

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pages(self) -> str:
        """Where screens load their page (the origin, or the edge they stream from)."""
        return self.edge or self.http

    @property
    def ws(self) -> str:
        return self.stream or f"ws://127.0.0.1:{self.settings.stream_at or self.port}"


ON_REDIS = os.environ.get("VOC_TEST_REDIS") == "1"  # every server an origin, with an edge


@contextlib.contextmanager
def serving(
    settings: Settings,
    stream: str = "http-port",
    sources: dict[str, Source] | None = None,
    outlets: dict[str, Outlet] | None = None,
    judge: Judge | None = None,
) -> Iterator[Running]:
    """A real server on port 0; `stream-port` puts the stream on the websockets library's
    server (its own socket), `http-port` on Starlette's. A `judge` handed in saves the second
    it takes to build one.

    `edge` makes it an origin on a redis-server of its own with a stream edge in front, which
    its pages send screens to; with VOC_TEST_REDIS=1 every server is one (the same suite passes
    with and without Redis), unless the test set `redis_url` to arrange edges itself.
    """
    if stream == "edge" or (ON_REDIS and not settings.redis_url):
        with own_redis() as redis:
            edge_stream = "stream-port" if stream == "edge" else stream
            with serving_edge(settings, redis, edge_stream, sources, outlets, judge) as server:
                yield server
        return
    on_its_own = None if stream == "stream-port" else 0
    bound = bind(replace(settings, port=0, stream_port=on_its_own, log_level="warning"))
    app = create_app(bound.settings, sources, judge, bound.stream, outlets_config=outlets)
    config = uvicorn.Config(app, lifespan="on", **uvicorn_options(bound.settings))
    with running(config, bound.http):
        yield Running(bound.settings)


@contextlib.contextmanager
def serving_edge(
    settings: Settings,
    redis: RedisServer,
    stream: str = "stream-port",
    sources: dict[str, Source] | None = None,
    outlets: dict[str, Outlet] | None = None,
    judge: Judge | None = None,
) -> Iterator[Running]:
    """The server as origin on `redis`, and one stream edge in front of it for the screens
    (streaming on its own port for `stream-port`, else on its HTTP port)."""
    on_its_own = None if stream == "stream-port" else 0
    edge = bind(replace(settings, port=0, stream_port=on_its_own, log_level="warning"))
    ws = f"ws://127.0.0.1:{edge.settings.stream_at or edge.settings.port}"
    to_edge = replace(settings, redis_url=redis.url, stream_url=ws)
    with serving(to_edge, stream, sources, outlets, judge) as origin:
        listed = (*settings.allowed_origins, origin.http)  # and the origin's pages
        pages = replace(edge.settings, allowed_origins=listed)
        app = create_edge_app(pages, redis.url, edge.stream)
        config = uvicorn.Config(app, lifespan="on", **uvicorn_options(edge.settings))
        with running(config, edge.http):
            yield replace(origin, stream=ws, edge=f"http://127.0.0.1:{edge.settings.port}")


# Where screens connect, for the stream's tests; with VOC_TEST_REDIS=1 the first two are edges
# already, so a third would run the same again.
STREAMS = ["http-port", "stream-port"] + ([] if ON_REDIS else ["edge"])


def stream_server(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Running]:
    """A server for `request.param` of STREAMS (`edge`: with a redis-server of its own)."""
    yield from start_server(settings, request.param)


def start_server(
    settings: Settings, stream: str = "http-port", sources: dict[str, Source] | None = None
) -> Iterator[Running]:
    """`serving` for fixtures (`yield from`)."""
    with serving(settings, stream, sources) as server:
        yield server


@pytest.fixture(params=["http-port", "stream-port"])
def server(request: pytest.FixtureRequest, settings: Settings, store: Store) -> Iterator[Running]:
    """A real server on a free port over the `store` fixture's database, once per stream server."""
    yield from start_server(settings, request.param)


@pytest.fixture
def client(server: Running) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.http) as c:
        yield c


def _listening() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    return sock


@contextlib.contextmanager
def running(config: uvicorn.Config, sock: socket.socket | None = None) -> Iterator[None]:
    """A real uvicorn server in a thread on `sock` (bound to port 0 if not given), for the
    duration of the block; stopped however the block ends."""
    sock = sock or _listening()
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
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
        sock.close()


@contextlib.contextmanager
def voc_command(*args: str, env: dict[str, str], cwd: Path | None = None) -> Iterator[Any]:
    """`python -m voc ARGS` as a user runs it, its output (stdout and stderr) readable line by
    line; stopped with SIGTERM, and waited for, however the block ends."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "voc", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **env},
        cwd=cwd,
    )
    try:
        assert proc.stdout is not None
        yield proc
    finally:
        proc.terminate()
        proc.communicate(timeout=20 * UNIT)


@contextlib.contextmanager
def serve_asgi(app: Any) -> Iterator[str]:
    """Any ASGI app (a platform's fake) on a loopback port of its own; yields its base URL."""
    sock = _listening()
    with running(uvicorn.Config(app, log_level="warning"), sock):
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


PASSWORD = "a long test passphrase, not a common one"


@functools.cache
def password_hash() -> str:
    """One Argon2 hash for every test account (each hash takes a fifth of a second)."""
    return hash_password(PASSWORD)


def make_user(store: Store, email: str, role: str, feeds: tuple[str, ...] = ()) -> None:
    Accounts(store).add_user(email, role, password_hash(), "local", feeds)


def token_for(store: Store, email: str, scope: str, role: str | None = None) -> str:
    """An API token (and its owner, made with `role` or the scope's role if missing)."""
    accounts = Accounts(store)
    try:
        accounts.user(email)
    except NotFound:
        make_user(store, email, role or {"read": "viewer", "curate": "curator"}.get(scope, scope))
    return accounts.add_token(email, scope)[0]


def reader(store: Store) -> dict[str, str]:
    """Headers with a read token, for tests that look at the API."""
    return {"Authorization": f"Bearer {token_for(store, 'reader@example.com', 'read')}"}


@contextlib.contextmanager
def own_redis() -> Iterator[RedisServer]:
    """redis-server, started for one test; in CI a missing one fails instead of skipping."""
    if not Path(REDIS).exists():
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing; scripts/test installs Debian's redis-server")
        pytest.skip("redis-server is not installed (apt install redis-server)")
    with tempfile.TemporaryDirectory(prefix="voc-redis-") as folder:
        server = RedisServer(Path(folder))
        server.start()
        try:
            yield server
        finally:
            server.kill()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with own_redis() as server:
        yield server


def until(condition: Any, seconds: float = 20) -> None:
    """Wait for `condition()` to hold, checked ten times a second (a liveness bound)."""
    deadline = time.monotonic() + seconds * UNIT
    while not condition():
        assert time.monotonic() < deadline, "not within the deadline"
        time.sleep(0.1)


async def until_async(condition: Any, seconds: float = 20) -> None:
    """`until` for a test on the event loop: what it waits for runs there too."""
    deadline = time.monotonic() + seconds * UNIT
    while not condition():
        assert time.monotonic() < deadline, "not within the deadline"
        await asyncio.sleep(0.05)
