"""Who may watch: feeds that need a display token, revocation, registered screens' line."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.conftest import UNIT, Running, add, serving, token_for, until, voc_command
from ticker import display_tokens, screens
from ticker.feeds import Feed
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store
from web.access import Access
from web.session import Close

KEY = "vocd_" + "s" * 43
COMMENT = Verbatim("nps", "The lobby coffee is great", "c1", 10, "nps")


@pytest.fixture
def lobby(store: Store, tagger: Tagger) -> Store:
    add(store, tagger, COMMENT)
    store.save_feed(Feed.from_dict({"name": "lobby", "title": "Lobby", "access": "token"}))
    store.save_feed(Feed.from_dict({"name": "open", "title": "Everyone"}))
    return store


@pytest.fixture(params=["http-port", "stream-port", "edge"])
def server(request: pytest.FixtureRequest, settings: Settings, lobby: Store) -> Iterator[Running]:
    quick = replace(settings, display_token_check_seconds=0.5)
    with serving(quick, request.param) as running:
        yield running


@pytest.fixture
def one_server(settings: Settings, lobby: Store) -> Iterator[Running]:
    """For what does not depend on which server streams."""
    with serving(settings) as running:
        yield running


def watch(server: Running, feed: str, token: str | None = None) -> ClientConnection:
    query = f"?token={token}" if token else ""
    return connect(f"{server.ws}/ws/feeds/{feed}{query}", open_timeout=10 * UNIT)


def closed_with(ws: ClientConnection, seconds: float) -> tuple[int | None, dict[str, str]]:
    """Read until the server closes; the close code and the last error message it sent."""
    error: dict[str, str] = {}
    deadline = time.monotonic() + seconds * UNIT
    try:
        while time.monotonic() < deadline:
            message = json.loads(ws.recv(timeout=deadline - time.monotonic()))
            if message["type"] == "error":
                error = message
    except ConnectionClosed:
        pass
    except TimeoutError:
        return None, error
    return ws.close_code, error


def made_token(server: Running, store: Store, label: str, feed: str) -> tuple[str, str]:
    """A display token made in the console (its secret and id): usable at once, on an edge too."""
    curator = {"Authorization": f"Bearer {token_for(store, 'cx@example.com', 'curate')}"}
    body = {"label": label, "feeds": [feed]}
    r = httpx.post(f"{server.http}/api/v1/display-tokens", json=body, headers=curator)
    assert r.status_code == 201, r.text
    return r.json()["secret"], r.json()["token"]["id"]


def test_a_token_feed_streams_only_to_a_token_that_covers_it(server: Running, lobby: Store) -> None:
    secret, _ = made_token(server, lobby, "Intranet", "lobby")
    other, _ = made_token(server, lobby, "Canteen", "open")
    for token in (None, "vocd_made-up", other):
        with watch(server, "lobby", token) as ws:
            code, error = closed_with(ws, 10)
        assert code == 4403, token
        assert "display token" in error["message"] and error["code"] == "forbidden"
    with watch(server, "lobby", secret) as ws:
        snapshot = json.loads(ws.recv(timeout=10 * UNIT))
    assert snapshot["type"] == "snapshot"
    assert [i["text"] for i in snapshot["items"]] == [COMMENT.text]
    with watch(server, "open") as ws:  # an open feed is as before: no token
        assert json.loads(ws.recv(timeout=10 * UNIT))["type"] == "snapshot"


def test_a_revoked_token_goes_dark_whoever_revokes_it(
    server: Running, lobby: Store, settings: Settings
) -> None:
    """Through the API the screen closes at once; from another process (here, another
    connection to the database) within `display_token_check_seconds`."""
    curator = {"Authorization": f"Bearer {token_for(lobby, 'cx@example.com', 'curate')}"}
    first, one = made_token(server, lobby, "Intranet", "lobby")
    second, two = made_token(server, lobby, "Lobby TV", "lobby")
    with watch(server, "lobby", first) as a, watch(server, "lobby", second) as b:
        for ws in (a, b):
            assert json.loads(ws.recv(timeout=10 * UNIT))["type"] == "snapshot"
        r = httpx.delete(f"{server.http}/api/v1/display-tokens/{one}", headers=curator)
        assert r.status_code == 200, r.text
        assert closed_with(a, 10)[0] == 4403
        with closing(Store(settings.db)) as elsewhere:
            display_tokens.revoke(elsewhere, two, "admin@example.com")
        assert closed_with(b, 60)[0] == 4403
    events = [e["action"] for e in lobby.curation_log()]
    assert events.count("display token revoked") == 2


def test_a_feed_closed_to_tokens_drops_its_tokenless_screens(server: Running, lobby: Store) -> None:
    """Tokens handed out first, then the feed turned to tokens: the screens that have one stay."""
    secret, _ = made_token(server, lobby, "Intranet", "open")
    with watch(server, "open") as ws, watch(server, "open", secret) as kept:
        for screen in (ws, kept):
            assert json.loads(screen.recv(timeout=10 * UNIT))["type"] == "snapshot"
        lobby.save_feed(Feed.from_dict({"name": "open", "title": "Everyone", "access": "token"}))
        assert closed_with(ws, 60)[0] == 4403
        time.sleep(1.5)  # three more sweeps, any of which would close it were it not allowed
        kept.send('{"type": "ping"}')
        while (message := json.loads(kept.recv(timeout=10 * UNIT)))["type"] != "pong":
            assert message["type"] in ("heartbeat", "update", "add", "display"), message


class GatedTokens:
    """Tokens whose `live()` read waits for the test: a screen can be admitted meanwhile."""

    def __init__(self) -> None:
        self.tokens: dict[str, tuple[str, ...]] = {"t-old": ("lobby",)}
        self.reading, self.go = asyncio.Event(), asyncio.Event()

    def access_now(self, feed: str) -> str | None:
        return "token"

    async def access_of(self, feed: str) -> str:
        return "token"

    async def covering(self, feed: str, secret: str | None) -> str | None:
        return secret if secret and feed in self.tokens.get(secret, ()) else None

    async def live(self) -> dict[str, tuple[str, ...]]:
        read = dict(self.tokens)
        self.reading.set()
        await self.go.wait()
        return read


async def test_a_screen_admitted_while_the_sweep_reads_tokens_is_not_closed() -> None:
    """Its token may be newer than the sweep's read: it is judged at the next round."""
    tokens = GatedTokens()
    access = Access(tokens, every=60)
    closed: list[Close] = []

    async def close(why: Close) -> None:
        closed.append(why)

    with access.watching("old", "lobby", "t-old", close):
        sweep = asyncio.create_task(access.sweep())
        await tokens.reading.wait()
        tokens.tokens["t-new"] = ("lobby",)  # made in the console just now
        admitted = await access.admit("lobby", "t-new")
        assert admitted == "t-new"
        with access.watching("new", "lobby", admitted, close):
            tokens.go.set()
            assert await sweep == 0
            assert await access.sweep() == 0  # the next round knows it
            del tokens.tokens["t-new"]  # revoked: now it goes
            assert await access.sweep() == 1
    assert [c.code for c in closed] == [4403]


def test_feeds_out_of_a_token_feed_need_the_token(one_server: Running, lobby: Store) -> None:
    secret, _ = display_tokens.add(lobby, "Signage player", ["lobby"], "cx@example.com")
    refused = httpx.get(f"{one_server.http}/feeds/lobby.rss")
    assert refused.status_code == 403
    assert "display token" in refused.text
    assert httpx.get(f"{one_server.http}/feeds/lobby.csv?token=vocd_nope").status_code == 403
    shown = httpx.get(f"{one_server.http}/feeds/lobby.csv", params={"token": secret})
    assert shown.status_code == 200 and COMMENT.text in shown.text
    assert shown.headers["cache-control"].startswith("private")


@pytest.fixture(params=["origin", "edge"])
def screens_line(
    request: pytest.FixtureRequest, settings: Settings, lobby: Store
) -> Iterator[Running]:
    """Screens say hello to the origin, or to an edge that passes it on through Redis."""
    with serving(settings, "edge" if request.param == "edge" else "http-port") as running:
        yield running


def test_a_screen_pairs_registers_beats_and_follows_its_feed(
    request: pytest.FixtureRequest, screens_line: Running, lobby: Store
) -> None:
    """On the origin or on an edge alike: the console (on the origin) sees every screen."""
    console = httpx.Client(base_url=screens_line.http)
    screen_side = httpx.Client(base_url=screens_line.pages)  # an edge's, where there is one
    request.addfinalizer(console.close)
    request.addfinalizer(screen_side.close)
    curator = {"Authorization": f"Bearer {token_for(lobby, 'cx@example.com', 'curate')}"}

    def hello(**showing: object) -> httpx.Response:
        """As /screen says hello: told to try again (503: an edge whose origin has not answered
        yet), it asks again."""
        body = {"showing": showing} if showing else {}
        deadline = time.monotonic() + 20 * UNIT
        while True:
            said = screen_side.post("/screens/hello", json=body, headers={"X-Display-Token": KEY})
            if said.status_code != 503 or time.monotonic() > deadline:
                return said
            time.sleep(0.2)

    waiting = hello().json()
    assert waiting["registered"] is False
    assert hello().json()["code"] == waiting["code"]  # the same code on every poll
    assert console.get("/api/v1/screens/waiting", headers=curator).json() == {"waiting": 1}
    overlapping = [
        {"days": ["mon"], "start": "08:00", "end": "12:00", "feed": "lobby"},
        {"days": ["mon"], "start": "11:00", "end": "13:00", "feed": "open"},
    ]
    body = {"code": waiting["code"], "name": "Lobby TV", "location": "Berlin 1F", "feed": "lobby"}
    r = console.post("/api/v1/screens", json={**body, "schedule": overlapping}, headers=curator)
    assert r.status_code == 422 and "overlap on mon from 11:00" in r.json()["error"]
    r = console.post("/api/v1/screens", json={**body, "code": "XXXXXX"}, headers=curator)
    assert r.status_code == 422 and "no screen shows the code" in r.json()["error"]
    r = console.post("/api/v1/screens", json=body, headers=curator)
    assert r.status_code == 201, r.text
    screen = r.json()

    def beat() -> dict[str, Any]:
        said: dict[str, Any] = hello(
            feed="lobby", layout="cards", ids=["c1"], buckets={"good": 1}
        ).json()
        return said

    until(lambda: beat()["registered"])  # an edge knows once the origin mirrors it, at once
    assert beat() == {
        "registered": True,
        "screen": {"id": screen["id"], "name": "Lobby TV", "location": "Berlin 1F"},
        "feed": "lobby",
        "heartbeat_seconds": 30.0,
    }
    with watch(screens_line, "lobby", KEY) as ws:  # the screen's key is its display token
        assert json.loads(ws.recv(timeout=10 * UNIT))["type"] == "snapshot"

    def listed() -> dict[str, Any]:
        [found] = console.get("/api/v1/screens", headers=curator).json()
        return dict(found)

    until(lambda: listed()["status"] == "online")  # an edge passes heartbeats on each second
    assert listed()["showing"] == {
        "feed": "lobby",
        "layout": "cards",
        "ids": ["c1"],
        "buckets": {"good": 1},
        "spotlight": False,
    }

    every_day = [{"days": list(screens.DAYS), "start": "00:00", "end": "24:00", "feed": "open"}]
    r = console.put(
        f"/api/v1/screens/{screen['id']}", json={**body, "schedule": every_day}, headers=curator
    )
    assert r.status_code == 200, r.text
    until(lambda: hello().json()["feed"] == "open")  # the screen moves on at its next heartbeat

    assert console.delete(f"/api/v1/screens/{screen['id']}", headers=curator).status_code == 200
    until(lambda: hello().status_code == 409)
    assert "revoked" in hello().json()["error"]


def test_a_bad_hello_gets_a_clear_answer(one_server: Running) -> None:
    for headers, content, status in [
        ({}, b"{}", 422),
        ({"X-Display-Token": "vocd_short"}, b"{}", 422),
        ({"X-Display-Token": KEY}, b"{not json", 422),
        ({"X-Display-Token": KEY}, b"[" * 9000, 413),
    ]:
        r = httpx.post(f"{one_server.http}/screens/hello", content=content, headers=headers)
        assert r.status_code == status, content[:20]
        assert r.json()["error"]


def test_a_curator_of_other_feeds_cannot_register_a_screen_for_this_one(
    one_server: Running, lobby: Store
) -> None:
    code = screens.pair(lobby, screens.key_digest(KEY))
    limited = {"Authorization": f"Bearer {token_for(lobby, 'x@example.com', 'curate')}"}
    lobby.db.execute("UPDATE users SET feeds = '[\"open\"]' WHERE email = 'x@example.com'")
    body = {"code": code, "name": "TV", "location": "Here", "feed": "lobby"}
    r = httpx.post(f"{one_server.http}/api/v1/screens", json=body, headers=limited)
    assert r.status_code == 403 and "lobby" in r.json()["error"]


def test_tokens_in_urls_never_reach_the_logs(tmp_path: Path, tagger: Tagger) -> None:
    """Players carry the token in the query string; the server's log shows [redacted]."""
    db = tmp_path / "v.db"
    with closing(Store(db)) as store:
        add(store, tagger, COMMENT)
        store.save_feed(Feed.from_dict({"name": "lobby", "access": "token"}))
        secret, _ = display_tokens.add(store, "Player", ["lobby"], "cx@example.com")
    args = ("serve", "--port", "0", "--db", str(db), "--stream-port", "0")
    with voc_command(*args, env={"VOC_LOG_LEVEL": "info"}) as proc:
        line = proc.stdout.readline()
        found = re.search(r"serving on (http://[\d.]+:\d+)/", line)
        assert found, line
        http = found.group(1)
        assert httpx.get(f"{http}/feeds/lobby.rss?token={secret}").status_code == 200
        assert httpx.get(f"{http}/display/lobby?token={secret}").status_code == 200
        with connect(f"{http.replace('http', 'ws')}/ws/feeds/lobby?token={secret}") as ws:
            assert json.loads(ws.recv(timeout=10 * UNIT))["type"] == "snapshot"
        proc.terminate()
        logged = proc.communicate(timeout=20 * UNIT)[0]
    assert "/feeds/lobby.rss?token=[redacted]" in logged
    assert "/ws/feeds/lobby?token=[redacted]" in logged
    assert secret not in logged
