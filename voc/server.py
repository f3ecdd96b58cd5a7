"""Running the server: uvicorn with the app built here, and the websocket settings it needs."""

from __future__ import annotations

import socket
from dataclasses import dataclass, replace
from typing import Any

import uvicorn

from ticker.judge import Judge
from ticker.outlets import Outlet
from ticker.settings import Settings, SettingsError
from ticker.sources import Source
from ticker.writer import Writer
from web.app import create_app
from web.edge import create_edge_app
from web.uvicorn_ws import AbortableWebSockets


@dataclass(frozen=True)
class Bound:
    """Sockets listening before the server starts, and the settings with their real ports."""

    settings: Settings
    http: socket.socket
    stream: socket.socket | None

    @property
    def url(self) -> str:
        host = self.settings.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.settings.port}/"


def bind(settings: Settings) -> Bound:
    """Listen on the HTTP port and the stream port before serving; `port = 0` lets the OS pick
    free ports for both (the stream's too, unless `stream_port = 0` puts it on the HTTP port)."""
    http = listening(settings.host, settings.port)
    port = int(http.getsockname()[1])
    stream = None
    if settings.stream_port != 0:
        wanted = settings.stream_port
        if wanted is None:
            wanted = 0 if settings.port == 0 else port + 1
        try:
            stream = listening(settings.host, wanted)
        except SettingsError:
            http.close()
            raise
    stream_port = int(stream.getsockname()[1]) if stream else 0
    return Bound(replace(settings, port=port, stream_port=stream_port), http, stream)


def serve(
    bound: Bound,
    sources: dict[str, Source],
    judge: Judge | None = None,
    writer: Writer | None = None,
    outlets: dict[str, Outlet] | None = None,
) -> None:
    """Serve the app on the bound sockets until interrupted; settings are handed as objects."""
    app = create_app(bound.settings, sources, judge, bound.stream, writer, outlets_config=outlets)
    server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options(bound.settings)))
    server.run(sockets=[bound.http])


def serve_edge(bound: Bound, redis_url: str) -> None:
    """Serve a stream edge (web/edge.py) on the bound sockets until interrupted."""
    app = create_edge_app(bound.settings, redis_url, bound.stream)
    server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options(bound.settings)))
    server.run(sockets=[bound.http])


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn must run the app: the CLI and the tests share these."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "ws": AbortableWebSockets,
        "ws_max_size": settings.max_message_bytes,
        "ws_per_message_deflate": False,  # it triples memory per connection and doubles CPU
        "ws_ping_interval": None,  # the hub's heartbeats; a stalled client is aborted on overflow
        "proxy_headers": True,
        "timeout_graceful_shutdown": 3,
    }


def listening(host: str, port: int) -> socket.socket:
    """A socket bound and listening, for a server to be handed (port 0: the OS picks one).

    Raises SettingsError when the port is taken or not ours to use."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except (OSError, OverflowError) as exc:
        sock.close()
        said = exc.strerror if isinstance(exc, OSError) else "no such port"
        raise SettingsError(f"cannot listen on {host}:{port}: {said}") from None
    sock.listen(2048)
    return sock
