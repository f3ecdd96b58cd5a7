"""The stream on the websockets library's own server, in the same process, on its own port.

Chosen for many screens (docs/deployment.md has the figures): a message's frame is encoded once and
written straight into each connection's transport, with no task or queue per client; the
transport's write buffer is the client's bounded queue, and a client whose buffer passes the bound
is aborted at once.
"""

from __future__ import annotations

import socket
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.protocol import State

from web.access import token_param
from web.backlog import cap_send_buffer
from web.hub import Outgoing
from web.origins import host_allowed, origin_allowed
from web.session import Close, Streaming, answer, resume_point

PREFIX = "/ws/feeds/"
BACKLOG = 2048


class DirectSubscriber:
    """Writes into the connection's transport now; aborts it when its backlog is too big."""

    __slots__ = ("connection", "limit")

    def __init__(self, connection: ServerConnection, limit: int) -> None:
        self.connection = connection
        self.limit = limit

    def deliver(self, message: Outgoing) -> bool:
        transport = self.connection.transport
        if self.connection.protocol.state is not State.OPEN or transport.is_closing():
            return False
        if transport.get_write_buffer_size() > self.limit:
            transport.abort()  # it stopped reading: a close frame would never leave
            return False
        transport.write(message.frames)  # the same bytes for every client: encoded once
        return True


async def start(state: Streaming, sock: socket.socket | None = None) -> Server:
    """Serve the stream on `sock`, or on settings.stream_at, until the server is closed."""
    settings = state.settings

    def check(connection: ServerConnection, request: Request) -> Response | None:
        path = request.path.partition("?")[0]
        if not path.startswith(PREFIX) or "/" in path[len(PREFIX) :]:
            return connection.respond(HTTPStatus.NOT_FOUND, "streams are at /ws/feeds/{feed}\n")
        headers = request.headers
        if not host_allowed(headers.get("Host"), settings.allowed_hosts):
            return connection.respond(HTTPStatus.BAD_REQUEST, "Invalid host header\n")
        if not origin_allowed(
            headers.get("Origin"), headers.get("Host"), settings.port, settings.allowed_origins
        ):
            return connection.respond(HTTPStatus.FORBIDDEN, "origin not allowed\n")
        return None

    async def handler(connection: ServerConnection) -> None:
        path, _, query = (
            connection.request.path.partition("?") if connection.request else (PREFIX, "", "")
        )
        feed = unquote(path[len(PREFIX) :])
        params = dict(parse_qsl(query))
        since, token = resume_point(params), token_param(params)
        first = await state.openings.first(feed, since)
        admitted = first if isinstance(first, Close) else await state.access.admit(feed, token)
        if isinstance(admitted, Close):
            await _close(connection, admitted)
            return
        assert not isinstance(first, Close)
        backlog = cap_send_buffer(connection.transport, settings.client_backlog_kb * 1024)
        sub = DirectSubscriber(connection, backlog)

        async def shut(close: Close) -> None:
            await _close(connection, close)

        with state.hub.subscribe(feed, sub), state.access.watching(sub, feed, admitted, shut):
            sub.deliver(state.openings.now(feed, since) or first)  # what changed while it loaded
            try:
                async for data in connection:
                    reply = answer(data)
                    if isinstance(reply, Close):
                        await _close(connection, reply)
                        return
                    sub.deliver(reply)
            except ConnectionClosed:
                return

    where: dict[str, Any] = (
        {"sock": sock} if sock is not None else {"host": settings.host, "port": settings.stream_at}
    )
    return await serve(
        handler,
        **where,
        process_request=check,
        compression=None,  # permessage-deflate triples memory per connection
        max_size=settings.max_message_bytes,
        ping_interval=None,  # the hub's heartbeats keep connections and widgets honest
        max_queue=4,
        server_header=None,
        backlog=BACKLOG,  # screens reconnect all at once after a restart; asyncio's default is 100
    )


async def _close(connection: ServerConnection, close: Close) -> None:
    try:
        await connection.send(close.message)
        await connection.close(close.code, close.reason)
    except ConnectionClosed:
        pass
