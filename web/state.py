"""What the running app holds: settings, sources, the readers, the pipeline (and through it
the writer), the hub, the feeds."""

from __future__ import annotations

from dataclasses import dataclass, field

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ticker.pipeline import Pipeline
from ticker.readers import Readers
from ticker.settings import Settings
from ticker.sources import Source
from web.hub import Hub
from web.live import Live
from web.session import Openings


@dataclass
class AppState:
    settings: Settings
    sources: dict[str, Source]
    readers: Readers
    pipeline: Pipeline  # writes through `writer`; run it in a thread, never on the loop
    hub: Hub
    live: Live
    openings: Openings
    scheduler: AsyncIOScheduler | None = field(default=None)
