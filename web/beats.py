"""Registered screens' heartbeats, kept in memory and passed on in one batch every few seconds:
a thousand screens cost the writer one statement, not a thousand transactions (and an edge one
round trip to Redis, web/screen_relay.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ticker.store import now

FLUSH_SECONDS = 5.0
log = logging.getLogger("voc_ticker.screens")
Beat = tuple[str, dict[str, Any], str]  # when, what it showed, from where
Record = Callable[[dict[str, Beat]], Awaitable[None]]  # a desk's (web/desk.py)


class Beats:
    """The latest heartbeat of each screen since the last batch, by its token's id."""

    def __init__(self, every: float = FLUSH_SECONDS) -> None:
        self._pending: dict[str, Beat] = {}
        self._every = every

    def add(self, token_id: str, showing: dict[str, Any], address: str, at: str = "") -> None:
        self._pending[token_id] = (at or now(), showing, address)

    async def flush(self, record: Record) -> None:
        taken, self._pending = self._pending, {}
        if taken:
            await record(taken)

    async def run(self, record: Record) -> None:
        while True:
            await asyncio.sleep(self._every)
            try:
                await self.flush(record)
            except Exception:  # the database is busy or Redis gone: the next beats come anyway
                log.exception("could not record screen heartbeats")
