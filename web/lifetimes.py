"""Ending what a lifespan started: background tasks and the websockets server."""

from __future__ import annotations

import asyncio
import contextlib

from websockets.asyncio.server import Server


async def closed(server: Server) -> None:
    server.close()
    await server.wait_closed()


async def cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
