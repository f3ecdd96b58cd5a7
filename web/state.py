"""What the running app holds: settings, the store, the hub and the playlists."""

from __future__ import annotations

from dataclasses import dataclass, field

from ticker.feeds import Feed
from ticker.playlist import Item, Playlists
from ticker.settings import Settings
from ticker.store import Store
from web.hub import Hub, Outgoing


@dataclass
class AppState:
    settings: Settings
    store: Store
    hub: Hub
    playlists: Playlists
    snapshots: dict[str, tuple[list[Item], Feed, Outgoing]] = field(default_factory=dict)
