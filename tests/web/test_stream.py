"""The websocket stream against a real uvicorn server with real websocket clients."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import STREAMS, UNIT, Running, add, serving, start_server, stream_server
from ticker import curation
from ticker.feeds import Feed
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store

GOOD = [
    Verbatim("s", f"Great service number {i}, thank you so much!", response_id=f"g{i}")
    for i in range(8)
]
BAD = [
    Verbatim("s", f"Delivery {i} was late and the box was damaged", response_id=f"b{i}")
    for i in range(4)
]


@pytest.fixture(params=STREAMS)
def server(request: pytest.FixtureRequest, settings: Settings, store: Store) -> Iterator[Running]:
    """Screens on Starlette's stream, the websockets server's, and an edge on Redis."""
    yield from stream_server(request, settings)


async def next_of(ws: ClientConnection, kind: str) -> dict[str, Any]:
    """The next message of a type, skipping others (heartbeats); the wait is a liveness bound only."""
    async with asyncio.timeout(5 * UNIT):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == kind:
                return message


async def snapshot_holding(server: Running, vid: str) -> dict[str, Any]:
    """The first snapshot with the comment: an edge's is a moment behind the origin's store."""
    async with asyncio.timeout(5 * UNIT):
        while True:
            async with client(server) as ws:
                snapshot = await next_of(ws, "snapshot")
            if vid in [i["id"] for i in snapshot["items"]]:
                return snapshot
            await asyncio.sleep(0.05)


def as_host(server: Running, name: str, port: int) -> Any:
    """A client that reaches the server on loopback but names it `name` in its Host header."""
    url = f"ws://{name}:{port}/ws/feeds/all"
    return connect(url, host="127.0.0.1", port=port, compression=None, ping_interval=None)


def client(server: Running, feed: str = "all", **kw: Any) -> Any:
    return connect(
        f"{server.ws}/ws/feeds/{feed}", compression=None, max_size=None, ping_interval=None, **kw
    )


async def test_first_message_is_a_snapshot(server: Running, store: Store, tagger: Tagger) -> None:
    """A new client gets the playlist and display settings first."""
    ids = add(store, tagger, *GOOD[:2], *BAD[:1])
    async with client(server) as ws:
        assert json.loads(await ws.recv())["type"] == "snapshot"  # the very first message
    snap = await snapshot_holding(server, ids[0])  # an edge's may be a moment behind
    assert snap["type"] == "snapshot" and snap["feed"] == "all"
    assert sorted(i["id"] for i in snap["items"]) == sorted(ids)
    assert snap["display"] == {
        "speed": 60.0,
        "direction": "left",
        "theme": "light",
        "layout": "ticker",
        "pacing": "reading",
        "dwell_seconds": 8.0,
    }


async def test_a_hide_reaches_every_client(server: Running, store: Store, tagger: Tagger) -> None:
    """Hiding a comment sends `remove` to every connected client."""
    ids = add(store, tagger, *GOOD[:3], *BAD[:2])
    await snapshot_holding(server, ids[-1])
    async with client(server) as a, client(server) as b:
        await next_of(a, "snapshot"), await next_of(b, "snapshot")
        curation.hide(store, ids[0], "dana")
        assert (await next_of(a, "remove"))["id"] == ids[0]
        assert (await next_of(b, "remove"))["id"] == ids[0]


async def test_a_new_comment_is_added_live(server: Running, store: Store, tagger: Tagger) -> None:
    """A comment ingested while clients watch arrives as `add`."""
    await snapshot_holding(server, add(store, tagger, *GOOD[:2])[-1])
    async with client(server) as ws:
        await next_of(ws, "snapshot")
        [new] = add(store, tagger, BAD[0])
        message = await next_of(ws, "add")
    assert message["item"]["id"] == new and message["item"]["text"] == BAD[0].text


async def test_an_edit_on_the_platform_reaches_screens(
    server: Running, store: Store, tagger: Tagger
) -> None:
    """The same response with new words arrives on screens as an `update` of its item."""
    [first] = add(store, tagger, GOOD[0])
    async with client(server) as ws:
        snapshot = await next_of(ws, "snapshot")
        if first not in [i["id"] for i in snapshot["items"]]:  # an edge may be a moment behind
            await next_of(ws, "add")
        edited = replace(GOOD[0], text="Still lovely, and they fixed my router too.")
        assert add(store, tagger, edited) == [first]
        message = await next_of(ws, "update")
    assert message["item"]["id"] == first and message["item"]["text"] == edited.text


async def test_a_pin_moves_the_comment_to_the_front(
    server: Running, store: Store, tagger: Tagger
) -> None:
    """Pinning sends `update` with index 0 and pinned true."""
    ids = add(store, tagger, *GOOD[:4], *BAD[:2])
    await snapshot_holding(server, ids[-1])  # an edge's is a moment behind the store
    async with client(server) as ws:
        snap = await next_of(ws, "snapshot")
        last = snap["items"][-1]["id"]
        curation.pin(store, last, "sam")
        message = await next_of(ws, "update")
    assert message["item"]["id"] == last and message["index"] == 0 and message["item"]["pinned"]


async def test_changes_from_another_process_reach_clients(
    server: Running, store: Store, tagger: Tagger
) -> None:
    """`voc-ticker hide` in another process is noticed through the database."""
    ids = add(store, tagger, *GOOD[:3])
    await snapshot_holding(server, ids[-1])
    async with client(server) as ws:
        await next_of(ws, "snapshot")
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "voc",
            "hide",
            ids[1],
            "--db",
            str(store.path),
            "--actor",
            "cli",
            stdout=asyncio.subprocess.DEVNULL,
        )
        assert await proc.wait() == 0
        assert (await next_of(ws, "remove"))["id"] == ids[1]


async def test_ping_is_answered_with_pong(server: Running) -> None:
    """The one message a client may send is answered."""
    async with client(server) as ws:
        await next_of(ws, "snapshot")
        await ws.send('{"type": "ping"}')
        assert (await next_of(ws, "pong"))["type"] == "pong"


@pytest.mark.parametrize(
    "garbage", ["hello", '{"type": "subscribe"}', "[]", b"\x00\x01", "[" * 3000]
)
async def test_garbage_gets_an_error_and_close_1003(server: Running, garbage: str | bytes) -> None:
    """Anything but a ping is answered with bad_message and closed as unsupported data."""
    async with client(server) as ws:
        await next_of(ws, "snapshot")
        await ws.send(garbage)
        error = await next_of(ws, "error")
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
    assert error["code"] == "bad_message" and ws.close_code == 1003


async def test_huge_frames_are_refused_with_1009(server: Running) -> None:
    """A frame over max_message_bytes closes the socket as too big."""
    async with client(server) as ws:
        await next_of(ws, "snapshot")
        await ws.send("x" * (server.settings.max_message_bytes + 1))
        with pytest.raises(websockets.ConnectionClosed):
            while True:
                await ws.recv()
    assert ws.close_code == 1009


async def test_unknown_feed_is_closed_with_4404(server: Running) -> None:
    """A feed that does not exist gets an error naming it, then close 4404."""
    async with client(server, "nope") as ws:
        error = await next_of(ws, "error")
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
    assert error["code"] == "unknown_feed" and "'nope'" in error["message"]
    assert ws.close_code == 4404


@pytest.mark.parametrize("origin", ["http://x:abc", "http://x:99999", "http://[::1"])
async def test_malformed_origins_are_refused(server: Running, origin: str) -> None:
    """An Origin header that cannot be parsed is refused, not a server error."""
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with client(server, origin=origin):
            pass
    assert refused.value.response.status_code == 403


async def test_listed_origins_are_allowed(settings: Settings, store: Store) -> None:
    """An intranet origin in allowed_origins may open the stream on both servers."""
    for stream in ("http-port", "stream-port"):
        listed = replace(settings, allowed_origins=("https://intranet.example",))
        with serving(listed, stream) as running:
            async with client(running, origin="https://intranet.example") as ws:
                assert (await next_of(ws, "snapshot"))["type"] == "snapshot"


async def test_only_allowed_host_names_reach_the_stream(settings: Settings, store: Store) -> None:
    """With allowed_hosts set, a rebinding DNS name is refused on both servers and over HTTP."""
    for stream in ("http-port", "stream-port"):
        hosts = replace(settings, allowed_hosts=("ticker.example.com",))
        with serving(hosts, stream) as running:
            port = running.settings.stream_at or running.port
            with pytest.raises(websockets.InvalidStatus) as refused:
                async with as_host(running, "evil.example", port):
                    pass
            assert refused.value.response.status_code == 400
            async with as_host(running, "ticker.example.com", port) as ws:
                assert (await next_of(ws, "snapshot"))["type"] == "snapshot"
            healthz = await asyncio.to_thread(httpx.get, running.http + "/healthz")
            assert healthz.status_code == 400


async def test_a_query_string_does_not_change_the_feed(
    server: Running, store: Store, tagger: Tagger
) -> None:
    """`/ws/feeds/all?v=2` is the feed `all` on both servers."""
    add(store, tagger, GOOD[0])
    async with connect(f"{server.ws}/ws/feeds/all?v=2", compression=None, ping_interval=None) as ws:
        assert (await next_of(ws, "snapshot"))["feed"] == "all"


async def test_one_broken_feed_does_not_stop_the_others(
    server: Running, store: Store, tagger: Tagger
) -> None:
    """A feed whose stored definition goes bad keeps its screens; every other feed still updates."""
    ids = add(store, tagger, *GOOD[:3])
    await snapshot_holding(server, ids[-1])
    store.save_feed(Feed("support", "Support"))
    async with client(server) as everyone, client(server, "support") as support:
        await next_of(everyone, "snapshot"), await next_of(support, "snapshot")
        store.db.execute(
            'UPDATE feeds SET definition = \'{"name": "support", "mix": {"size": "lots"}}\' WHERE name = \'support\''
        )
        store.db.conn.commit()
        curation.hide(store, ids[0], "dana")
        assert (await next_of(everyone, "remove"))["id"] == ids[0]


async def test_other_origins_are_refused_at_the_handshake(server: Running) -> None:
    """A page on another site cannot open the stream unless its origin is allowed."""
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with client(server, origin="https://evil.example"):
            pass
    assert refused.value.response.status_code == 403
    async with client(server, origin=server.pages) as ws:  # the page's own origin
        assert (await next_of(ws, "snapshot"))["type"] == "snapshot"


@pytest.fixture(params=["http-port", "stream-port"])
def small_backlog_server(
    request: pytest.FixtureRequest, settings: Settings, store: Store
) -> Iterator[Running]:
    """A server that drops a client with more than 64 KiB waiting for it, sending long comments."""
    yield from start_server(
        replace(settings, client_backlog_kb=64, display_chars=100_000), request.param
    )


async def test_a_client_that_never_reads_is_dropped_without_delaying_others(
    small_backlog_server: Running, store: Store, tagger: Tagger
) -> None:
    """A stalled reader's backlog overflows and it is dropped; a healthy client keeps getting events."""
    server = small_backlog_server
    long = [
        Verbatim(
            "s", f"Great service {i}, thank you! " + "really good " * 5000, response_id=f"l{i}"
        )
        for i in range(6)
    ]
    ids = add(store, tagger, *long)
    await snapshot_holding(server, ids[-1])  # an edge's is a moment behind the store
    port = int(urlsplit(server.ws).port or 0)  # where screens stream: an edge, if there is one
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    sock.connect(("127.0.0.1", port))
    sock.sendall(
        b"GET /ws/feeds/all HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )  # and then never read again
    async with client(server) as healthy:
        await next_of(healthy, "snapshot")
        for round_ in range(150):  # each hide and approve is an event of ~60 KB for every client
            vid = ids[round_ % len(ids)]
            curation.hide(store, vid, "dana")
            assert (await next_of(healthy, "remove"))["id"] == vid
            curation.approve(store, vid, "dana")
            assert (await next_of(healthy, "add"))["item"]["id"] == vid
            said = await asyncio.to_thread(httpx.get, f"{server.pages}/healthz")
            if said.json()["clients"] == 1:
                break  # the stalled client has left the hub; the healthy one is still served
        else:
            pytest.fail("the stalled client was never dropped")
    assert await asyncio.to_thread(_drain_until_closed, sock), (
        "the server kept the stalled socket open"
    )


def _drain_until_closed(sock: socket.socket) -> bool:
    """Read what the stalled client had been sent; True once the server has cut it off."""
    sock.settimeout(5 * UNIT)
    try:
        while sock.recv(1 << 20):
            pass
        return True  # orderly close
    except ConnectionResetError:
        return True  # aborted
    except TimeoutError:
        return False
    finally:
        sock.close()


async def test_personal_data_reaches_screens_masked(
    server: Running, store: Store, tagger: Tagger
) -> None:
    """A comment with an email goes live with the email masked; the store keeps the words."""
    text = "Great help from support, thank you! Reach me at jane.doe@example.com"
    [vid] = add(store, tagger, Verbatim("s", text, "pii1"))
    [item] = (await snapshot_holding(server, vid))["items"]
    assert (
        item["id"] == vid
        and item["text"] == "Great help from support, thank you! Reach me at [email]"
    )
    assert store.get(vid).text == text and store.get(vid).state == "approved"
