"""What the running app holds: settings, sources, the store, the hub, the playlists, the tagger."""

from __future__ import annotations

from dataclasses import dataclass, field

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ticker.feeds import Feed
from ticker.playlist import Item, Playlists
from ticker.redact import Redactor
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.sources import Source
from ticker.store import Store
from web.hub import Hub, Outgoing


@dataclass
class AppState:
    settings: Settings
    store: Store
    hub: Hub
    playlists: Playlists
    tagger: Tagger
    redactor: Redactor
    sources: dict[str, Source] = field(default_factory=dict)
    scheduler: AsyncIOScheduler | None = None
    snapshots: dict[str, tuple[list[Item], Feed, Outgoing]] = field(default_factory=dict)
