"""`--client websockets`: the websockets library's clients, which parse every frame."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.fanout.load import EVENTS, Json, LoadBase, reason


@dataclass(slots=True)
class LibraryClient:
    """One load client: its connection and when it first saw each tracked event."""

    ws: ClientConnection
    seen: dict[tuple[str, str], float] = field(default_factory=dict)
    open: bool = True
    close_code: int | None = None


class LibraryLoad(LoadBase):
    """`--client websockets`: full library clients that parse every frame (costly on the CPU)."""

    def __init__(self, url: str, count: int, concurrency: int, open_timeout: float) -> None:
        super().__init__(count, concurrency, open_timeout)
        self.url = url
        self.clients: list[LibraryClient] = []
        self.tasks: set[asyncio.Task[None]] = set()

    async def _open(self, gate: asyncio.Semaphore) -> float | None:
        """One client through handshake and snapshot; its time, or None (counted) on failure."""
        async with gate:
            start = time.monotonic()
            try:
                ws = await connect(
                    self.url,
                    compression=None,
                    max_size=None,
                    ping_interval=None,
                    proxy=None,
                    open_timeout=self.open_timeout,
                    close_timeout=2,
                    user_agent_header=None,
                )
            except Exception as exc:
                self.errors[reason(exc)] += 1
                return None
            try:
                async with asyncio.timeout(self.open_timeout):
                    message = json.loads(await ws.recv())
                if message.get("type") != "snapshot":
                    raise ValueError(f"first message is {message.get('type')!r}, not a snapshot")
            except Exception as exc:
                self.errors[reason(exc)] += 1
                ws.transport.abort()
                return None
            took = time.monotonic() - start
        self._adopt(ws, message)
        return took

    def _adopt(self, ws: ClientConnection, snapshot: Json) -> None:
        """Keep a connected client and start its reader; remember the first playlist's ids."""
        if not self.snapshot_ids:
            self.snapshot_ids = [str(item["id"]) for item in snapshot.get("items", [])]
        client = LibraryClient(ws)
        self.clients.append(client)
        self.open_count += 1
        task = asyncio.create_task(self._listen(client))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _listen(self, client: LibraryClient) -> None:
        """Read until the socket closes, timestamping tracked events as they arrive."""
        try:
            async for text in client.ws:
                if not isinstance(text, str) or '"heartbeat"' not in text[:32]:
                    self.received += 1  # heartbeats are the clock's, not the hide's
                if self.tracked and isinstance(text, str):
                    self._note(client, text, time.time())
        except ConnectionClosed:
            pass
        finally:
            client.open = False
            client.close_code = client.ws.close_code
            self.open_count -= 1
            self.changed.set()

    def _note(self, client: LibraryClient, text: str, at: float) -> None:
        """Record the first `remove`/`add` of a tracked id; a substring test skips the rest."""
        if not any(ident in text for ident in self.tracked):
            return
        message = json.loads(text)
        kind = message.get("type")
        if kind == "remove":
            ident = str(message.get("id"))
        elif kind == "add":
            ident = str(message.get("item", {}).get("id"))
        else:
            return
        key = (kind, ident)
        if ident in self.tracked and key not in client.seen:
            client.seen[key] = at
            self.counts[key] += 1
            if self.counts[key] >= self.open_count:
                self.changed.set()

    def _forget(self, ident: str) -> None:
        for kind in EVENTS:
            for client in self.clients:
                client.seen.pop((kind, ident), None)

    def _sightings(self, key: tuple[str, str]) -> tuple[list[float], int]:
        seen = [c.seen[key] for c in self.clients if key in c.seen]
        return seen, sum(1 for c in self.clients if c.open and key not in c.seen)

    async def close(self) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(10):
                await asyncio.gather(
                    *(c.ws.close() for c in self.clients if c.open), return_exceptions=True
                )
        for task in list(self.tasks):
            task.cancel()
