"""The websocket stream `/ws/feeds/{feed}`: a snapshot, then playlist changes and heartbeats."""

from __future__ import annotations

import asyncio
import contextlib
import json

from starlette.responses import PlainTextResponse
from starlette.websockets import WebSocket, WebSocketDisconnect

from ticker.playlist import snapshot_message
from ticker.store import NotFound
from web.hub import Subscriber, encode, error
from web.origins import origin_allowed
from web.state import AppState

UNSUPPORTED = 1003
UNKNOWN_FEED = 4404
CLOSE_TIMEOUT = 2.0


async def feed_stream(websocket: WebSocket) -> None:
    """One client: the sender drains its queue while this task reads what the client sends."""
    state: AppState = websocket.app.state.voc
    if not origin_allowed(websocket.headers, state.settings.allowed_origins):
        await websocket.send_denial_response(
            PlainTextResponse("origin not allowed: add it to VOC_ALLOWED_ORIGINS", status_code=403)
        )
        return
    name = websocket.path_params["feed"]
    await websocket.accept()
    try:
        feed, items = state.playlists.snapshot(name)
    except NotFound:
        await websocket.send_text(error("unknown_feed", f"there is no feed named {name!r}"))
        await websocket.close(UNKNOWN_FEED, "unknown feed")
        return
    async with state.hub.subscribe(name) as sub:
        sub.deliver(encode(snapshot_message(feed, items, state.settings.heartbeat_seconds)))
        sender = asyncio.create_task(_send(websocket, sub))
        try:
            await _receive(websocket, sub)
        finally:
            if sub.closing is None:
                sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender


async def _send(websocket: WebSocket, sub: Subscriber) -> None:
    """The only writer to this socket; closes it when the subscriber is told to."""
    try:
        while (text := await sub.next()) is not None:
            await websocket.send_text(text)
        code, message = sub.closing or (1000, "")
        async with asyncio.timeout(CLOSE_TIMEOUT):
            if message:
                await websocket.send_text(message)
            await websocket.close(code, json.loads(message)["code"] if message else "")
    except (WebSocketDisconnect, RuntimeError, OSError, TimeoutError):
        pass  # the client went away; the receiver sees it too


async def _receive(websocket: WebSocket, sub: Subscriber) -> None:
    """Answer pings; anything else that is not protocol closes the socket (1003)."""
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            try:
                kind = json.loads(text)["type"] if text is not None else None
            except (ValueError, TypeError, KeyError):
                kind = None
            if kind == "ping":
                sub.deliver(encode({"type": "pong"}))
            else:
                sub.close(UNSUPPORTED, error("bad_message", 'send only {"type": "ping"} as text'))
    except (WebSocketDisconnect, RuntimeError):
        return
