"""Registered screens' heartbeats, kept in memory and written in one batch every few seconds:
a thousand screens cost the writer one statement, not a thousand transactions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ticker import screens
from ticker.store import Store, now

FLUSH_SECONDS = 5.0
log = logging.getLogger("voc_ticker.screens")
Write = Callable[[Callable[[Store], None]], Awaitable[None]]


class Beats:
    """The latest heartbeat of each screen since the last write, by its token's id."""

    def __init__(self) -> None:
        self._pending: dict[str, tuple[str, dict[str, Any], str]] = {}

    def add(self, token_id: str, showing: dict[str, Any], address: str) -> None:
        self._pending[token_id] = (now(), showing, address)

    async def flush(self, write: Write) -> None:
        taken, self._pending = self._pending, {}
        if taken:
            await write(lambda store: screens.seen(store, taken))

    async def run(self, write: Write) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            try:
                await self.flush(write)
            except Exception:  # the database is busy or gone: the next beats come anyway
                log.exception("could not record screen heartbeats")
