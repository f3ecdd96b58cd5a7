"""Where a screen's hello is answered (web/screen_link.py): the origin's store, or on an edge
what the origin mirrors to Redis (web/screen_relay.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ticker import screens
from ticker.readers import Readers
from ticker.screens import Screen
from ticker.store import Store
from ticker.writer import Writer
from web.beats import Beat, Beats

MAX_WAITING = 1000  # screens showing a code at once; more is someone filling the table


class DeskUnavailable(Exception):
    """The screen cannot be answered now (Redis is away, or the origin is): it tries again."""


class Desk(Protocol):
    """Where a screen's hello is answered."""

    beats: Beats

    async def answer(self, hashed: str) -> Screen | str | None:
        """The registered screen whose key has this digest; else the code it shows while it
        waits (None when too many wait). RevokedKey for a key that was a removed screen's;
        DeskUnavailable when it cannot be told now."""
        ...


@dataclass
class StoreDesk:
    """The origin's desk: its own store, through the readers and the one writer."""

    readers: Readers
    writer: Writer
    beats: Beats

    async def answer(self, hashed: str) -> Screen | str | None:
        def waiting(store: Store) -> str | None:
            code = screens.waiting_code(store, hashed)
            if code is None and screens.waiting(store) >= MAX_WAITING:
                return None
            return code or screens.pair(store, hashed)

        def known(store: Store) -> Screen | str | None:
            return screens.paired(store, hashed) or screens.waiting_code(store, hashed)

        return await self.readers.run(known) or await self.writer.run(waiting)

    async def record(self, taken: dict[str, Beat]) -> None:
        """A batch of heartbeats into the screens table, through the one writer."""
        await self.writer.run(lambda store: screens.seen(store, taken))
