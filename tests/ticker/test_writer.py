"""The one writer: writes on its own thread, in order, each one transaction."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from ticker.store import Busy, Store, StoreError
from ticker.writer import Writer


def test_writes_run_in_order_on_the_writer_thread(tmp_path: Path) -> None:
    """Every write runs on one thread of its own, in the order given, and returns its result."""
    writer = Writer(tmp_path / "w.db")
    threads = set()

    def note(n: int) -> int:
        threads.add(threading.current_thread().name)
        return n

    try:
        futures = [writer.submit(lambda s, n=n: note(n)) for n in range(50)]
        assert [f.result() for f in futures] == list(range(50))
        assert threads == {"voc-writer"}
    finally:
        writer.close()


def test_a_failed_write_is_rolled_back_and_raised_to_its_caller(tmp_path: Path) -> None:
    """A write that raises changes nothing, its caller gets the error, the next write goes on."""
    writer = Writer(tmp_path / "w.db")

    def half_done(store: Store) -> None:
        store.ensure_source("kiosk", "test")
        raise RuntimeError("boom")

    try:
        with pytest.raises(RuntimeError, match="boom"):
            writer.write(half_done)
        assert writer.write(lambda s: s.source_health()) == {}
        writer.write(lambda s: s.ensure_source("kiosk", "test"))
        assert list(writer.write(lambda s: s.source_health())) == ["kiosk"]
    finally:
        writer.close()


async def test_the_event_loop_awaits_writes_without_blocking(tmp_path: Path) -> None:
    """`run` is awaited: the loop keeps running other tasks while a write waits."""
    writer = Writer(tmp_path / "w.db")
    gate = threading.Event()
    try:
        slow = asyncio.create_task(writer.run(lambda s: gate.wait(30)))
        for _ in range(20):  # the loop runs other work while the write waits on its thread
            await asyncio.sleep(0)
        assert not slow.done()
        gate.set()
        assert await slow is True
    finally:
        writer.close()


def test_a_closed_writer_refuses_new_writes(tmp_path: Path) -> None:
    """After close, a write is refused at once instead of waiting for ever."""
    writer = Writer(tmp_path / "w.db")
    writer.close()
    with pytest.raises(RuntimeError, match="closed"):
        writer.write(lambda s: None)


def test_a_database_that_cannot_open_fails_in_the_caller(tmp_path: Path) -> None:
    """Opening a folder as the store is one clear error where the writer is made."""
    with pytest.raises(StoreError, match="is a folder"):
        Writer(tmp_path)


def test_a_write_waits_for_another_connections_lock_then_succeeds(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE waits out another process's write lock (the busy timeout applies)."""
    path = tmp_path / "w.db"
    Store(path).close()
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    writer = Writer(path)
    try:
        release.start()
        writer.write(lambda s: s.ensure_source("late", "test"))
        assert "late" in writer.write(lambda s: s.source_health())
    finally:
        release.join()
        other.close()
        writer.close()


def test_writes_queued_behind_a_long_lock_give_up_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each write waits at most the busy timeout from when it was handed over, not that long
    again after each one before it: three queued writes all say Busy by about the same time."""
    from ticker import store as store_module

    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "w.db"
    Store(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    writer = Writer(path)
    try:
        queued = [writer.submit(lambda s: s.ensure_source("x", "test")) for _ in range(3)]
        for future in queued:
            with pytest.raises(Busy):
                future.result(timeout=30)
    finally:
        other.execute("COMMIT")
        other.close()
        writer.close()


def test_close_fails_what_is_queued_instead_of_waiting_for_it(tmp_path: Path) -> None:
    """Stopping does not run writes still queued behind a slow one: they fail with Busy (their
    senders retry), and a write handed over afterwards is refused at once."""
    writer = Writer(tmp_path / "w.db")
    gate, started = threading.Event(), threading.Event()
    running = writer.submit(lambda s: started.set() or gate.wait(30))
    started.wait(30)
    queued = writer.submit(lambda s: s.ensure_source("late", "test"))
    closing = threading.Thread(target=writer.close)
    closing.start()
    gate.set()
    closing.join(timeout=30)
    assert running.result() is True
    with pytest.raises(Busy, match="stopping"):
        queued.result(timeout=30)
    with pytest.raises(RuntimeError, match="closed"):
        writer.submit(lambda s: None)


def test_a_full_queue_says_busy_at_once(tmp_path: Path) -> None:
    """With `depth` writes already waiting, the next is refused now rather than piled up."""
    writer = Writer(tmp_path / "w.db", depth=2)
    gate, started = threading.Event(), threading.Event()
    try:
        writer.submit(lambda s: started.set() or gate.wait(30))
        started.wait(30)  # the first write runs; two more may wait
        waiting = [writer.submit(lambda s: None) for _ in range(2)]
        with pytest.raises(Busy, match="already waiting"):
            writer.submit(lambda s: None)
    finally:
        gate.set()
        writer.close()
    assert all(f.done() for f in waiting)
