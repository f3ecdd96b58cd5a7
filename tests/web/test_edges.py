"""Stream edges on a real redis-server: edges serve what the origin writes, and killing an
edge, the origin or Redis loses no change on any screen (real processes, killed by pid)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.conftest import (
    UNIT,
    Running,
    add,
    own_redis,
    serving,
    token_for,
    until,
    until_async,
    voc_command,
)
from tests.redis_server import RedisServer
from tests.web.test_hub import Screen
from tests.web.test_stream import BAD, GOOD
from ticker import curation, display_tokens, playlist, screens
from ticker.feeds import Feed
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import NotFound, Store, now
from web.follower import Copy, Follower
from web.hub import Hub, Outgoing
from web.redis_link import RedisBroker, feed_key, log_key
from web.screen_relay import BEATS, HELLOS, answer_key

SERVING = re.compile(r"serving on (http://[\d.]+:\d+)/ \((?:stream on port (\d+)|[^)]*)\)")


@dataclass
class Process:
    http: str
    ws: str
    pid: int

    def kill(self) -> None:
        """As a crash: SIGKILL, by its pid."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


@contextlib.contextmanager
def voc_process(*args: str, env: dict[str, str]) -> Iterator[Process]:
    with voc_command(*args, "--port", "0", env={"VOC_LOG_LEVEL": "warning", **env}) as proc:
        line = proc.stdout.readline()
        found = SERVING.search(line)
        assert found, line
        http, stream = found.groups()
        ws = f"ws://127.0.0.1:{stream}" if stream else http.replace("http", "ws")
        yield Process(http, ws, proc.pid)


def edge(redis: RedisServer) -> contextlib.AbstractContextManager[Process]:
    return voc_process("edge", "--redis", redis.url, env={})


def watch(process: Process | Running, since: str = "") -> ClientConnection:
    return connect(f"{process.ws}/ws/feeds/all{since}", open_timeout=10 * UNIT)


def next_of(ws: ClientConnection, *kinds: str, seconds: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + seconds * UNIT
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=deadline - time.monotonic()))
        if message["type"] in kinds:
            return message


def origin_offset(origin: Running) -> int:
    """Where the origin's own copy of the feed is: its snapshot's offset."""
    with connect(f"{origin.ws}/ws/feeds/all", open_timeout=10 * UNIT) as ws:
        return int(next_of(ws, "snapshot")["offset"])


def health(process: Process) -> dict[str, Any]:
    answer: dict[str, Any] = httpx.get(f"{process.http}/healthz", timeout=5).json()
    return answer


@pytest.fixture
def ids(store: Store, tagger: Tagger) -> list[str]:
    return add(store, tagger, *GOOD[:5], *BAD[:3])


@pytest.fixture
def origin(settings: Settings, ids: list[str], redis_server: RedisServer) -> Iterator[Running]:
    with serving(replace(settings, redis_url=redis_server.url)) as running:
        yield running


def test_an_edge_serves_what_the_origin_writes(
    origin: Running, redis_server: RedisServer, store: Store, ids: list[str]
) -> None:
    with edge(redis_server) as one, watch(one) as screen, watch(origin) as direct:
        snapshot, same = next_of(screen, "snapshot"), next_of(direct, "snapshot")
        assert snapshot == same  # the origin's own snapshot, byte for byte in meaning
        curation.hide(store, ids[5], "cx@example.com")
        removed = next_of(screen, "remove")
        assert removed["id"] == ids[5] and removed["offset"] > snapshot["offset"]
        said = health(one)
        assert said["role"] == "edge" and said["redis"] == "up" and said["clients"] == 1
        assert said["lag_seconds"] is not None and said["lag_seconds"] < 10
        with connect(f"{one.ws}/ws/feeds/nosuch") as unknown:
            with pytest.raises(ConnectionClosed):
                next_of(unknown, "snapshot")
            assert unknown.close_code == 4404


def test_killing_an_edge_its_screens_resume_on_another_and_miss_nothing(
    origin: Running, redis_server: RedisServer, store: Store, ids: list[str]
) -> None:
    with edge(redis_server) as one, edge(redis_server) as two:
        with watch(one) as screen:
            snapshot = next_of(screen, "snapshot")
            one.kill()
            with pytest.raises(ConnectionClosed):
                next_of(screen, "heartbeat", seconds=30)
        curation.hide(store, ids[5], "cx@example.com")  # while the screen is away
        curation.hide(store, ids[6], "cx@example.com")
        # Two had no screen of this feed: what it missed comes from the stream's history.
        until(lambda: health(two) is not None and origin_offset(origin) >= snapshot["offset"] + 2)
        since = f"?epoch={snapshot['epoch']}&offset={snapshot['offset']}"
        with watch(two, since) as screen:
            said = next_of(screen, "resumed", "snapshot")
            assert said["type"] == "resumed" and said["offset"] == snapshot["offset"]
            missed = [json.loads(screen.recv(timeout=5 * UNIT)) for _ in range(2)]
        assert [m["offset"] for m in missed] == [snapshot["offset"] + 1, snapshot["offset"] + 2]
        with watch(two) as fresh:
            now = next_of(fresh, "snapshot")
        assert playlist.apply(snapshot["items"], missed) == now["items"]


def test_restarting_the_origin_edges_keep_serving_and_screens_get_the_difference(
    tmp_path: Path, redis_server: RedisServer, store: Store, ids: list[str], settings: Settings
) -> None:
    env = {"VOC_REDIS_URL": redis_server.url, "VOC_STREAM_PORT": "0"}
    serve = ("serve", "--db", str(settings.db))
    with voc_process(*serve, env=env) as first, edge(redis_server) as one, watch(one) as screen:
        before = next_of(screen, "snapshot")
        first.kill()
        until(lambda: health(one)["lag_seconds"] > 3)  # the origin is silent
        with watch(one) as meanwhile:  # a new screen still gets what the edge has
            assert next_of(meanwhile, "snapshot")["items"] == before["items"]
        curation.hide(store, ids[5], "cx@example.com")  # a change while the origin is down
        with voc_process(*serve, env=env):
            # The new origin takes up the epoch screens have: they get the difference (the hide
            # made while it was down), not a whole new snapshot each.
            missed = next_of(screen, "remove", "snapshot", seconds=30)
            assert missed == {"type": "remove", "id": ids[5], "offset": before["offset"] + 1}
            curation.hide(store, ids[6], "cx@example.com")
            assert next_of(screen, "remove")["id"] == ids[6]
            with watch(one) as fresh:
                assert next_of(fresh, "snapshot")["epoch"] == before["epoch"]


def test_losing_redis_edges_keep_serving_and_nothing_is_lost(
    origin: Running, redis_server: RedisServer, store: Store, ids: list[str]
) -> None:
    with edge(redis_server) as one, watch(one) as screen:
        before = next_of(screen, "snapshot")
        redis_server.kill()
        until(lambda: health(one)["redis"] == "down")
        curation.hide(store, ids[5], "cx@example.com")  # the origin takes it; Redis is away
        until(lambda: httpx.get(f"{origin.http}/healthz").json()["redis"] == "down")
        with watch(one) as meanwhile:
            assert next_of(meanwhile, "snapshot")["items"] == before["items"]
        time.sleep(1 * UNIT)  # screens stay connected through the outage
        assert health(one)["clients"] >= 1
        redis_server.start()  # empty: it lost everything
        after = next_of(screen, "snapshot", seconds=30)
        assert ids[5] not in [i["id"] for i in after["items"]]
        until(lambda: health(one)["redis"] == "up")
        curation.hide(store, ids[6], "cx@example.com")
        assert next_of(screen, "remove")["id"] == ids[6]


def test_display_tokens_and_revocation_hold_on_every_edge(
    settings: Settings, redis_server: RedisServer, store: Store, ids: list[str]
) -> None:
    """A token feed on an edge: refused without its token, shown with it, and dark within
    display_token_check_seconds of a revocation at the origin."""
    store.save_feed(Feed.from_dict({"name": "lobby", "access": "token"}))
    secret, token = display_tokens.add(store, "Lobby TV", ["lobby"], "cx@example.com")
    quick = replace(settings, redis_url=redis_server.url, display_token_check_seconds=0.5)
    env = {"VOC_DISPLAY_TOKEN_CHECK_SECONDS": "0.5"}
    with serving(quick), voc_process("edge", "--redis", redis_server.url, env=env) as one:
        until(lambda: httpx.get(f"{one.http}/healthz").json()["redis"] == "up")
        with connect(f"{one.ws}/ws/feeds/lobby", open_timeout=10 * UNIT) as refused:
            assert next_of(refused, "error")["code"] == "forbidden"
        with connect(f"{one.ws}/ws/feeds/lobby?token={secret}", open_timeout=10 * UNIT) as ws:
            assert next_of(ws, "snapshot")["feed"] == "lobby"
            display_tokens.revoke(store, token.id, "admin@example.com")
            with pytest.raises(ConnectionClosed):
                next_of(ws, "snapshot", seconds=60)
            assert ws.close_code == 4403


def test_a_token_an_edge_cannot_check_without_redis_is_not_called_revoked(
    settings: Settings, redis_server: RedisServer, store: Store, ids: list[str]
) -> None:
    """Redis away and a token the edge has not seen: "try again" (1011), not 4403, which would
    make the screen forget what it shows; once Redis is back the token is let in."""
    store.save_feed(Feed.from_dict({"name": "lobby", "access": "token"}))
    secret, _ = display_tokens.add(store, "Lobby TV", ["lobby"], "cx@example.com")
    quick = replace(settings, redis_url=redis_server.url, display_token_check_seconds=0.5)
    with serving(quick), edge(redis_server) as one:
        with connect(f"{one.ws}/ws/feeds/lobby", open_timeout=10 * UNIT) as first:
            assert next_of(first, "error")["code"] == "forbidden"  # the edge has the feed now
        redis_server.kill()
        with connect(f"{one.ws}/ws/feeds/lobby?token={secret}", open_timeout=10 * UNIT) as ws:
            assert next_of(ws, "error")["code"] == "feed_unavailable"
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=5 * UNIT)
            assert ws.close_code == 1011
        redis_server.start()

        def let_in() -> bool:
            with connect(f"{one.ws}/ws/feeds/lobby?token={secret}", open_timeout=10 * UNIT) as ws:
                return bool(next_of(ws, "snapshot", "error")["type"] == "snapshot")

        until(let_in, seconds=30)


def test_screens_on_an_edge_are_told_to_try_again_while_redis_is_away(
    origin: Running, redis_server: RedisServer, ids: list[str]
) -> None:
    """Not "no such feed", not "revoked": a page that reloads itself, a hello that says when."""
    key = {"X-Display-Token": "vocd_" + "e" * 43}
    with edge(redis_server) as one:
        until(lambda: httpx.get(f"{one.http}/display/all").status_code == 200)
        assert httpx.post(f"{one.http}/screens/hello", headers=key).json()["code"]
        redis_server.kill()
        until(lambda: health(one)["redis"] == "down")
        assert httpx.get(f"{one.http}/display/all").status_code == 200  # the edge has its copy
        page = httpx.get(f"{one.http}/display/lobby")  # one it has not: unknown until Redis is back
        assert page.status_code == 503 and page.headers["retry-after"] == "10"
        assert 'http-equiv="refresh"' in page.text and "No feed" not in page.text
        hello = httpx.post(f"{one.http}/screens/hello", headers=key, timeout=10)
        assert hello.status_code == 503 and hello.headers["retry-after"] == "10"
        assert "Redis is unreachable" in hello.json()["error"]
        redis_server.start()
        until(lambda: httpx.post(f"{one.http}/screens/hello", headers=key).status_code == 200)
        assert httpx.get(f"{one.http}/display/lobby").status_code == 404  # now it can tell


def test_the_origin_lists_its_edges_and_a_killed_edge_leaves_the_list(
    origin: Running, redis_server: RedisServer, ids: list[str]
) -> None:
    def edges() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = httpx.get(f"{origin.http}/healthz").json()["edges"]
        return found

    with edge(redis_server) as one, watch(one) as screen:
        next_of(screen, "snapshot")
        until(lambda: [e["clients"] for e in edges()] == [1])
        [listed] = edges()
        assert listed["name"].endswith(f":{one.http.rsplit(':', 1)[1]}") and listed["redis"] == "up"
        assert httpx.get(f"{origin.http}/healthz").json()["clients_on_edges"] == 1
        one.kill()
        until(lambda: edges() == [], seconds=30)


def test_the_origin_takes_only_well_formed_heartbeats_from_redis(
    origin: Running, redis_server: RedisServer, store: Store, ids: list[str]
) -> None:
    """Whatever else is in the streams (an older edge, a hand-typed XADD), the origin records
    the heartbeats it can read and keeps going."""
    key = "vocd_" + "h" * 43
    screen = screens.register(
        store,
        screens.pair(store, screens.key_digest(key)),
        {"name": "Lobby TV", "location": "Berlin", "feed": "all"},
        "cx@example.com",
    )
    with Redis.from_url(redis_server.url) as r:
        for hello in ({"hash": "../../etc/passwd"}, {"nothing": "here"}):
            r.xadd(HELLOS, hello)  # type: ignore[arg-type]
        for beat in (  # the good one first: a bad one taken after it would replace it
            {
                "token": screen.token_id,
                "at": now(),
                "showing": '{"feed": "all"}',
                "address": "10.1.2.3",
            },
            {"token": screen.token_id, "at": "yesterday", "showing": "{}"},
            {"token": screen.token_id, "at": "2026-12-01T09:00:00", "showing": "{}"},  # naive
            {"token": screen.token_id, "at": now(), "showing": "[1"},
            {"token": screen.token_id, "at": now(), "showing": "[]"},
            {"at": now(), "showing": "{}"},
        ):
            r.xadd(BEATS, beat)  # type: ignore[arg-type]
    reader = {"Authorization": f"Bearer {token_for(store, 'r@example.com', 'read')}"}

    def listed() -> dict[str, Any]:
        [found] = httpx.get(f"{origin.http}/api/v1/screens", headers=reader).json()
        return dict(found)

    until(lambda: listed()["status"] == "online")
    assert listed()["showing"] == {"feed": "all"} and listed()["address"] == "10.1.2.3"
    assert httpx.get(f"{origin.http}/healthz").json()["redis"] == "up"


def test_a_redis_that_restarts_empty_revokes_no_token_on_the_edges(
    settings: Settings, redis_server: RedisServer, store: Store, ids: list[str]
) -> None:
    """No copy of the tokens in Redis is "not known now", not "every token revoked": the
    screens of a token feed stay, and the origin writes the copy again when it finds it gone."""
    store.save_feed(Feed.from_dict({"name": "lobby", "access": "token"}))
    secret, _ = display_tokens.add(store, "Lobby TV", ["lobby"], "cx@example.com")
    slow = replace(settings, redis_url=redis_server.url, display_token_check_seconds=600)
    env = {"VOC_DISPLAY_TOKEN_CHECK_SECONDS": "0.5"}  # the edge sweeps twice a second

    def shown_with_token(one: Process) -> bool:
        with connect(f"{one.ws}/ws/feeds/lobby?token={secret}", open_timeout=10 * UNIT) as ws:
            return next_of(ws, "snapshot", "error")["type"] == "snapshot"

    with serving(slow), voc_process("edge", "--redis", redis_server.url, env=env) as one:
        until(lambda: shown_with_token(one))  # the origin mirrors at its start, not in 600 s
        with connect(f"{one.ws}/ws/feeds/lobby?token={secret}", open_timeout=10 * UNIT) as ws:
            next_of(ws, "snapshot")
            redis_server.kill()
            redis_server.start()  # empty
            until(lambda: health(one)["redis"] == "up")
            time.sleep(2 * UNIT)  # sweeps on the edge, whatever Redis holds meanwhile
            curation.hide(store, ids[0], "cx@example.com")
            assert next_of(ws, "remove", "snapshot", seconds=30)  # still open, still served
        assert shown_with_token(one)


def test_a_new_title_reaches_edges_and_keeps_their_history(
    origin: Running, redis_server: RedisServer, store: Store, ids: list[str]
) -> None:
    """A change of the feed's definition alone is not a snapshot: an edge that loads the feed
    afterwards can still resume a screen from before it, and new screens get the new title."""
    with edge(redis_server) as one, watch(one) as screen:
        before = next_of(screen, "snapshot")
        curation.hide(store, ids[5], "cx@example.com")
        next_of(screen, "remove")
        store.save_feed(Feed.from_dict({"name": "all", "title": "Every comment"}))

        def title_on_new_screens() -> str:
            with watch(one) as fresh:
                return str(next_of(fresh, "snapshot")["title"])

        until(lambda: title_on_new_screens() == "Every comment")
        curation.hide(store, ids[6], "cx@example.com")
        next_of(screen, "remove")
        with edge(redis_server) as two:
            since = f"?epoch={before['epoch']}&offset={before['offset']}"
            with watch(two, since) as moved:
                assert next_of(moved, "resumed", "snapshot")["type"] == "resumed"
                missed = [json.loads(moved.recv(timeout=5 * UNIT)) for _ in range(2)]
    assert [m["type"] for m in missed] == ["remove", "remove"]
    assert [m["id"] for m in missed] == [ids[5], ids[6]]


async def test_changes_made_while_a_write_to_redis_fails_leave_the_newest_snapshot() -> None:
    """A change queued while a write hung (Redis stopped), then one made while Redis was known
    away: when it is back, Redis holds the newest snapshot, not the one queued in between."""
    with own_redis() as redis_server:
        broker = RedisBroker(redis_server.url, heartbeat=20.0)
        feed = Feed("all", "All")
        states = [playlist.Shown(feed, [], None, "e1", n) for n in range(4)]
        await broker.start()
        try:
            broker.publish("all", Outgoing("{}"), states[0])
            await until_async(lambda: broker.link.queued == 0 and broker.link.up)
            assert redis_server.process is not None
            redis_server.process.send_signal(signal.SIGSTOP)  # the next write hangs
            broker.publish("all", Outgoing("{}"), states[1])
            await asyncio.sleep(0.2)  # that write is in flight: the next change queues behind it
            broker.publish("all", Outgoing("{}"), states[2])
            await until_async(lambda: not broker.link.up)  # the hung write timed out
            broker.publish("all", Outgoing("{}"), states[3])
            redis_server.kill()
            redis_server.start()
            await until_async(lambda: broker.link.up and broker.link.queued == 0)
        finally:
            await broker.stop()
        with contextlib.closing(Redis.from_url(redis_server.url)) as r:
            assert int(r.hget(feed_key("all"), "offset") or -1) == 3


def copy_at(offset: int, snapshot_offset: int) -> Copy:
    recent = deque([(offset, '{"type":"remove"}')])
    return Copy("f", "A", offset, Outgoing(), snapshot_offset, "F", "open", "0-0", recent)


def test_a_screen_ahead_of_the_edge_by_its_snapshot_resumes() -> None:
    """A new screen may get a snapshot newer than the last change this edge has read (the
    origin wrote more in between): reconnecting from there is up to date, not a gap."""
    assert copy_at(5, 6).since("A", 6) == []
    assert copy_at(5, 6).since("A", 5) == []
    assert copy_at(5, 6).since("A", 4) == ['{"type":"remove"}']
    assert copy_at(5, 6).since("A", 7) is None  # further than anything the origin said
    assert copy_at(5, 6).since("B", 6) is None


async def test_an_edge_that_finds_a_new_epoch_behind_a_change_takes_it_up() -> None:
    """The origin restarted between the edge reading a change and reading the snapshot after
    it: the edge takes up the new epoch (its screens get its snapshot) instead of keeping the
    old epoch's copy with the new epoch's snapshot in it."""

    def snapshot(epoch: str, offset: int) -> str:
        return json.dumps({"type": "snapshot", "epoch": epoch, "offset": offset}).replace(" ", "")

    def state(epoch: str, offset: int) -> dict[Any, Any]:  # as redis-py takes it
        return {"epoch": epoch, "offset": offset, "snapshot": snapshot(epoch, offset),
                "title": "F", "access": "open"}  # fmt: skip

    def change(epoch: str, offset: int) -> dict[Any, Any]:
        texts = json.dumps([json.dumps({"type": "remove", "id": str(offset), "offset": offset})])
        return {"epoch": epoch, "first": offset, "last": offset, "texts": texts,
                "title": "F", "access": "open"}  # fmt: skip

    with own_redis() as redis_server:
        r = AsyncRedis.from_url(redis_server.url)
        try:
            await r.hset(feed_key("f"), mapping=state("A", 1))
            await r.xadd(log_key("f"), change("A", 1))
            hub = Hub()
            follower = Follower(r, hub)
            copy = await follower.load("f")
            screen = Screen()
            with hub.subscribe("f", screen):
                await r.xadd(log_key("f"), change("A", 2))
                await r.hset(feed_key("f"), mapping=state("B", 0))  # a new origin, a new epoch
                await follower._read()
            assert (copy.epoch, copy.offset, copy.snapshot.texts) == ("B", 0, (snapshot("B", 0),))
            assert [m.texts for m in screen.got] == [(snapshot("B", 0),)]
        finally:
            await r.aclose()


def test_a_screen_that_asked_while_the_origin_was_starting_gets_its_code(
    settings: Settings, redis_server: RedisServer
) -> None:
    """An edge passed a new screen's hello on before the origin read Redis: the origin answers
    it once it is up, and the screen's next try finds the code waiting."""
    hashed = screens.key_digest("vocd_" + "w" * 43)
    with contextlib.closing(Redis.from_url(redis_server.url)) as r:
        r.xadd(HELLOS, {"hash": hashed})
        with serving(replace(settings, redis_url=redis_server.url)):
            until(lambda: r.get(answer_key(hashed)) is not None)
            assert "code" in json.loads(r.get(answer_key(hashed)) or "{}")


async def test_an_edge_waits_a_moment_for_a_feed_made_just_now() -> None:
    """A screen opened on a feed the console has just made may reach an edge before the origin
    (busy, or between its checks) has written the feed: the edge waits for it a little."""
    with own_redis() as redis_server:
        r = AsyncRedis.from_url(redis_server.url)
        try:
            follower = Follower(r, Hub())
            loading = asyncio.create_task(follower.load("new"))
            await asyncio.sleep(1.5)  # the origin is slow to write it
            snapshot = '{"type":"snapshot"}'
            mapping = {"epoch": "A", "offset": 0, "snapshot": snapshot, "title": "New"}
            await r.hset(feed_key("new"), mapping=mapping)  # type: ignore[arg-type]
            copy = await loading
            assert (copy.feed, copy.title, copy.snapshot.texts) == ("new", "New", (snapshot,))
            with pytest.raises(NotFound):
                await follower.load("made-up")  # and gives up on a feed that never comes
        finally:
            await r.aclose()
