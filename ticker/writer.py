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
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from ticker import store as _store
from ticker.store import Busy, Store

T = TypeVar("T")
_Job = tuple[Callable[[Store], Any], Future[Any], float]


class Writer:
    """Runs write functions one at a time on its own thread with its own `Store`.

    `write()` blocks the calling thread (pipelines run in worker threads); `run()` is the
    awaitable form for the event loop. Both raise what the function raised. A write waits at
    most the busy timeout from when it was handed over, however many wait before it: past that,
    or when `depth` writes already wait, it raises `Busy` (a webhook answers 503, the platform
    retries) rather than piling up behind another process's lock.
    """

    def __init__(self, path: Path | str, depth: int = 256) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._depth = depth
        self._lock = threading.Lock()
        self._closed = False
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
                work, done, deadline = job
                if not done.set_running_or_notify_cancel():
                    continue
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    done.set_exception(Busy(_late(self._closed)))
                    continue
                try:
                    store.patience(left)
                    done.set_result(store.write(work))
                except BaseException as exc:
                    done.set_exception(exc)
        finally:
            store.close()

    def submit(self, work: Callable[[Store], T]) -> Future[T]:
        """Queue a write; its future holds the result (or Busy, or the function's error)."""
        done: Future[T] = Future()
        with self._lock:
            if self._closed or not self._thread.is_alive():
                raise RuntimeError("the writer is closed")
            if self._jobs.qsize() >= self._depth:
                raise Busy(f"{self._depth} writes are already waiting for the database; try again")
            self._jobs.put((work, done, time.monotonic() + _store.BUSY_TIMEOUT_MS / 1000))
        return done

    def write(self, work: Callable[[Store], T]) -> T:
        """Run `work(store)` in one transaction on the writer thread; wait for it here."""
        return self.submit(work).result()

    async def run(self, work: Callable[[Store], T]) -> T:
        """`write` for the event loop: awaits without blocking it."""
        return await asyncio.wrap_future(self.submit(work))

    def close(self) -> None:
        """Refuse new writes, fail the queued ones (Busy: their senders retry), stop the thread.

        A write already running finishes first."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._jobs.put(None)
        self._thread.join()


def _late(closing: bool) -> str:
    if closing:
        return "the server is stopping; try again"
    return (
        f"the database stayed locked for more than {_store.BUSY_TIMEOUT_MS / 1000:g} s; try again"
    )
