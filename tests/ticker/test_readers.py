"""Reads off the event loop: each reading thread has its own connection, closed at the end."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from ticker.readers import Readers
from ticker.store import Store


async def test_reads_run_on_reading_threads_and_see_committed_writes(tmp_path: Path) -> None:
    """A read runs on a thread of the pool, not the loop's, and sees what another connection
    committed."""
    path = tmp_path / "r.db"
    writer = Store(path)
    readers = Readers(path, threads=2)
    try:
        where = await readers.run(lambda s: threading.current_thread().name)
        assert where.startswith("voc-read") and where != threading.current_thread().name
        assert await readers.run(lambda s: s.count()) == 0
        writer.ensure_source("kiosk", "test")
        assert list(await readers.run(Store.source_health)) == ["kiosk"]
    finally:
        readers.close()
        writer.close()


async def test_close_closes_every_threads_connection(tmp_path: Path) -> None:
    """After close, no reading connection is left open (they were opened on other threads)."""
    readers = Readers(tmp_path / "r.db", threads=3)
    opened = [await readers.run(lambda s: s) for _ in range(6)]
    readers.close()
    for store in opened:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            store.db.execute("SELECT 1")
