"""Another process holds the write lock: the server keeps serving, webhooks wait or say 503."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.conftest import UNIT, Running, serving
from tests.web.test_webhooks import GENERIC, SOURCES, generic_headers, post
from ticker import store as store_module
from ticker.settings import Settings
from ticker.store import Store

HOLD = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
"""


class Lock:
    """The database's write lock, held by another process until `release()`."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdout.readline() == "locked\n"

    def release(self) -> None:
        self.proc.communicate("\n", timeout=10 * UNIT)  # closes both pipes too


@pytest.fixture
def hooks(settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[Running]:
    monkeypatch.setenv("VOC_TEST_GENERIC_SECRET", "generic-secret")
    with serving(settings, "stream-port", SOURCES) as server:
        yield server


def test_the_server_answers_while_a_webhook_waits_for_the_lock(
    hooks: Running, store: Store
) -> None:
    """While another process holds the lock, /healthz and the stream answer; the delivery
    waits its turn and is stored once the lock is released."""
    lock = Lock(store.path)
    answered: list[httpx.Response] = []
    waiting = threading.Thread(
        target=lambda: answered.append(post(hooks, "generic", GENERIC, generic_headers(GENERIC)))
    )
    try:
        waiting.start()
        health = [httpx.get(f"{hooks.http}/healthz", timeout=30 * UNIT) for _ in range(5)]
        with connect(f"{hooks.ws}/ws/feeds/all") as ws:
            assert json.loads(ws.recv(timeout=30 * UNIT))["type"] == "snapshot"
            ws.send('{"type": "ping"}')
            assert json.loads(ws.recv(timeout=30 * UNIT))["type"] == "pong"
        assert waiting.is_alive() and answered == []  # all that while, the delivery waited
        assert [r.json()["ok"] for r in health] == [True] * 5
    finally:
        lock.release()
        waiting.join(timeout=30 * UNIT)
    assert answered[0].status_code == 200 and answered[0].json()["added"] == 1
    assert store.count(source="generic") == 1


def test_a_lock_held_past_the_busy_timeout_answers_503_and_loses_nothing(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the busy timeout the platform is told to retry later; the retry is stored."""
    monkeypatch.setenv("VOC_TEST_GENERIC_SECRET", "generic-secret")
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)
    with serving(settings, sources=SOURCES) as server:
        lock = Lock(store.path)
        try:
            refused = post(server, "generic", GENERIC, generic_headers(GENERIC))
        finally:
            lock.release()
        assert refused.status_code == 503 and refused.headers["retry-after"].isdigit()
        assert store.count() == 0
        retried = post(server, "generic", GENERIC, generic_headers(GENERIC))
        assert retried.status_code == 200 and retried.json()["added"] == 1
