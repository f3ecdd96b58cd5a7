"""The process's one writer: a thread that owns the write connection, fed by a queue.

As Datasette does it: everything that writes in a server process (webhooks, scheduled pulls,
curation) hands a function to this thread and waits for its result, so writes never run on the
event loop, never interleave, and a lock held by another process stalls only this thread
(each write is one `BEGIN IMMEDIATE` transaction, so the busy timeout applies).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from ticker.store import Store

T = TypeVar("T")
_Job = tuple[Callable[[Store], Any], Future[Any]]


class Writer:
    """Runs write functions one at a time on its own thread with its own `Store`.

    `write()` blocks the calling thread (pipelines run in worker threads); `run()` is the
    awaitable form for the event loop. Both raise what the function raised.
    """

    def __init__(self, path: Path | str) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        opened: Future[None] = Future()
        self._thread = threading.Thread(
            target=self._serve, args=(Path(path), opened), name="voc-writer", daemon=True
        )
        self._thread.start()
        opened.result()  # a database that cannot be opened fails here, in the caller

    def _serve(self, path: Path, opened: Future[None]) -> None:
        try:
            store = Store(path)
        except BaseException as exc:
            opened.set_exception(exc)
            return
        opened.set_result(None)
        try:
            while (job := self._jobs.get()) is not None:
                work, done = job
                if not done.set_running_or_notify_cancel():
                    continue
                try:
                    done.set_result(store.write(work))
                except BaseException as exc:
                    done.set_exception(exc)
        finally:
            store.close()

    def submit(self, work: Callable[[Store], T]) -> Future[T]:
        """Queue a write; its future holds the result."""
        if not self._thread.is_alive():
            raise RuntimeError("the writer is closed")
        done: Future[T] = Future()
        self._jobs.put((work, done))
        return done

    def write(self, work: Callable[[Store], T]) -> T:
        """Run `work(store)` in one transaction on the writer thread; wait for it here."""
        return self.submit(work).result()

    async def run(self, work: Callable[[Store], T]) -> T:
        """`write` for the event loop: awaits without blocking it."""
        return await asyncio.wrap_future(self.submit(work))

    def close(self) -> None:
        """Finish what is queued, then stop the thread and close its connection."""
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()
