"""The stream on the Starlette app: `/ws/feeds/{feed}` on the HTTP port, a sender task each."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable

from starlette.responses import PlainTextResponse
from starlette.websockets import WebSocket, WebSocketDisconnect

from web.access import token_param
from web.backlog import cap_send_buffer
from web.hub import TOO_SLOW, TOO_SLOW_ERROR, Outgoing
from web.origins import origin_allowed
from web.session import Close, Streaming, answer, resume_point
from web.uvicorn_ws import TRANSPORT

CLOSE_TIMEOUT = 2.0
DENIED = "origin not allowed: add it to VOC_ALLOWED_ORIGINS"


class QueuedSubscriber:
    """A bounded queue drained by the client's sender task; overflow aborts the connection."""

    __slots__ = ("_abort", "_limit", "_messages", "_queued", "_wake", "closing")

    def __init__(self, limit: int, abort: Callable[[], None] | None) -> None:
        self._messages: deque[str] = deque()
        self._limit = limit  # characters queued, close enough to bytes for a bound
        self._queued = 0
        self._wake = asyncio.Event()
        self._abort = abort
        self.closing: Close | None = None

    def deliver(self, message: Outgoing) -> bool:
        if self.closing is not None:
            return False
        if self._queued + message.size > self._limit and self._messages:
            self.close(Close(TOO_SLOW, TOO_SLOW_ERROR))
            if self._abort is not None:  # it stopped reading: a close frame would never leave
                self._abort()
            return False
        self._messages.extend(message.texts)
        self._queued += message.size
        self._wake.set()
        return True

    def close(self, close: Close) -> None:
        """Drop what is queued; the sender sends the error and closes."""
        if self.closing is None:
            self.closing = close
            self._messages.clear()
            self._queued = 0
            self._wake.set()

    async def next(self) -> str | None:
        """The next message to send, or None when the client must close."""
        while self.closing is None:
            if self._messages:
                text = self._messages.popleft()
                self._queued -= len(text)
                return text
            self._wake.clear()
            await self._wake.wait()
        return None


async def feed_stream(websocket: WebSocket) -> None:
    """One client: the sender drains its queue while this task reads what the client sends."""
    state: Streaming = websocket.app.state.voc
    headers = websocket.headers
    if not origin_allowed(
        headers.get("origin"),
        headers.get("host"),
        state.settings.port,
        state.settings.allowed_origins,
    ):
        await websocket.send_denial_response(PlainTextResponse(DENIED, status_code=403))
        return
    await websocket.accept()
    feed = websocket.path_params["feed"]
    token = token_param(websocket.query_params)
    since = resume_point(websocket.query_params)
    first = await state.openings.first(feed, since)
    extensions = websocket.scope["extensions"]
    backlog = state.settings.client_backlog_kb * 1024
    transport = extensions.get(TRANSPORT)
    if transport is not None:
        backlog = cap_send_buffer(transport, backlog)
    sub = QueuedSubscriber(backlog, transport.abort if transport is not None else None)
    admitted = first if isinstance(first, Close) else await state.access.admit(feed, token)
    if isinstance(admitted, Close):
        sub.close(admitted)
        await _send(websocket, sub)
        return
    assert not isinstance(first, Close)

    async def shut(close: Close) -> None:
        sub.close(close)

    with state.hub.subscribe(feed, sub), state.access.watching(sub, feed, admitted, shut):
        sub.deliver(state.openings.now(feed, since) or first)  # what changed while it loaded
        sender = asyncio.create_task(_send(websocket, sub))
        try:
            await _receive(websocket, sub)
        finally:
            if sub.closing is None:
                sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender


async def _send(websocket: WebSocket, sub: QueuedSubscriber) -> None:
    """The only writer to this socket; sends the closing error and closes when told to."""
    try:
        while (text := await sub.next()) is not None:
            await websocket.send_text(text)
        assert sub.closing is not None
        async with asyncio.timeout(CLOSE_TIMEOUT):
            await websocket.send_text(sub.closing.message)
            await websocket.close(sub.closing.code, sub.closing.reason)
    except (WebSocketDisconnect, RuntimeError, OSError, TimeoutError):
        pass  # the client went away; the receiver sees it too


async def _receive(websocket: WebSocket, sub: QueuedSubscriber) -> None:
    """Answer what the client sends until it disconnects."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            reply = answer(
                message["text"] if message.get("text") is not None else message.get("bytes") or b""
            )
            if isinstance(reply, Close):
                sub.close(reply)
            else:
                sub.deliver(reply)
