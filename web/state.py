"""What the running app holds: settings, sources, the readers, the pipeline (and through it
the writer), the hub, the feeds, the outlets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ticker.outlets import Outlet
from ticker.pipeline import Pipeline
from ticker.readers import Readers
from ticker.settings import Settings
from ticker.sources import Source
from ticker.store import Store
from web.access import Access
from web.consoles import Consoles
from web.courier import Courier
from web.desk import StoreDesk
from web.hub import Hub
from web.live import Live
from web.session import Openings

T = TypeVar("T")


@dataclass
class AppState:
    settings: Settings
    sources: dict[str, Source]
    readers: Readers
    pipeline: Pipeline  # writes through `writer`; run it in a thread, never on the loop
    hub: Hub
    live: Live
    openings: Openings
    access: Access  # who may watch the feeds that need a display token
    desk: StoreDesk  # screens' hellos: pairing, and heartbeats written in batches
    consoles: Consoles = field(default_factory=Consoles)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)  # background work ("pull now")
    pulling: set[str] = field(default_factory=set)  # sources a "pull now" is fetching
    scheduler: AsyncIOScheduler | None = field(default=None)
    outlets: dict[str, Outlet] = field(default_factory=dict)  # Slack and Teams destinations
    courier: Courier | None = field(default=None)  # posts to them, when there are any

    def background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` after the answer is sent ("pull now", "send digest now"), held until done."""
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def title_of(self, feed: str) -> str:
        shown = self.live.cached(feed)
        if shown is not None:
            return shown.feed.title
        found = await self.readers.run(lambda store: store.feed(feed))
        return found.title

    async def write(self, work: Callable[[Store], T]) -> T:
        """Run `work` on the process's one writer, off the event loop."""
        return await asyncio.to_thread(self.pipeline.writes.write, work)
