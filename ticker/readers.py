"""Reads off the event loop: a few threads, each with a connection of its own.

In WAL mode readers never wait for a writer, but a query over a large store still takes
milliseconds the event loop cannot spend; screens are served while it runs.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from ticker.store import Store

T = TypeVar("T")


class Readers:
    """`await readers.run(fn)` runs `fn(store)` on a reading thread and returns its result."""

    def __init__(self, path: Path | str, threads: int = 4, name: str = "voc-read") -> None:
        self.path = Path(path)
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix=name)
        self._local = threading.local()
        self._opened: list[Store] = []
        self._lock = threading.Lock()

    def _store(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.path, any_thread=True)
            with self._lock:
                self._opened.append(store)
        return store

    async def run(self, work: Callable[[Store], T]) -> T:
        """Run `work` on a reading thread; the event loop goes on meanwhile."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: work(self._store()))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            for store in self._opened:
                store.close()
            self._opened.clear()
