"""From a curator's request to what the screens and feeds show: how long each kind of change takes.

Run: python -m bench.reach [--rounds 30]

Starts `voc-ticker serve` (default settings) on the sample feedback, with a feed "bench" of its
own and a screen (a websocket client) watching it, then, `--rounds` times, through the API as the
console sends them:

  display   PUT the feed with another theme; until the screen has the `display` message
  filter    PUT the feed without the good; until the screen has the first `remove` (then back)
  hide      hide a comment on the playlist; until the screen has its `remove`
  rss       the same hide; until /feeds/bench.rss no longer has it (polled every 10 ms)
  approve   approve it again; until the screen has its `add`
  spotlight spotlight a comment; until the screen has the `spotlight` (then ended)
  sign-out  sign in with the form, open /ws/console, post the sign-out; until that line closes

The clock starts as the request is sent, so each figure includes the request itself. The tests
check that each change arrives; they hold no time limit (the figures are in the README).
Results go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from bench.fanout.stats import percentile
from bench.served import Server, sample_db, voc_ticker
from ticker.accounts import Accounts
from ticker.passwords import hash_password
from ticker.store import Store

ADMIN = "bench@example.com"
PASSWORD = "a bench passphrase that is long enough"
FEED = "bench"
WAIT = 30.0  # seconds: a liveness bound, far above any figure this prints
THEMES = ("dark", "light")


def definition(theme: str, buckets: tuple[str, ...] = ("good", "bad", "ugly")) -> dict[str, Any]:
    """The bench feed as PUT /api/v1/feeds/{feed} takes it."""
    return {"title": "Bench", "filter": {"buckets": list(buckets)}, "display": {"theme": theme}}


def accounts(db: Path) -> str:
    """An admin who can sign in with the form, and an admin API token of theirs."""
    store = Store(db)
    try:
        people = Accounts(store)
        people.add_user(ADMIN, "admin", hash_password(PASSWORD), "local", ())
        return people.add_token(ADMIN, "admin")[0]
    finally:
        store.close()


async def until(ws: ClientConnection, kind: str, vid: str = "") -> dict[str, Any]:
    """The next message of a type (about comment `vid`, if given), skipping others: a hide's
    playlist may take in another comment, whose `add` is not the approval's."""
    async with asyncio.timeout(WAIT):
        while True:
            message: dict[str, Any] = json.loads(await ws.recv())
            about = message.get("id") or (message.get("item") or {}).get("id")
            if message["type"] == kind and vid in ("", about):
                return message


async def timed(act: Awaitable[Any], arrived: Awaitable[Any]) -> float:
    """Milliseconds from sending `act` until `arrived` is done (waiting first: none is missed)."""
    waiting = asyncio.ensure_future(arrived)
    started = time.perf_counter()
    await act
    await waiting
    return (time.perf_counter() - started) * 1000


class Bench:
    """One server, one screen on the bench feed, an API client."""

    def __init__(self, server: Server, api: httpx.AsyncClient, screen: ClientConnection) -> None:
        self.server, self.api, self.screen = server, api, screen
        self.items: list[dict[str, Any]] = []

    async def put(self, body: dict[str, Any]) -> None:
        (await self.api.put(f"/api/v1/feeds/{FEED}", json=body)).raise_for_status()

    async def act(self, vid: str, action: str, **body: Any) -> None:
        (await self.api.post(f"/api/v1/comments/{vid}/{action}", json=body)).raise_for_status()

    async def display(self, round_: int) -> float:
        theme = THEMES[round_ % 2]
        return await timed(self.put(definition(theme)), until(self.screen, "display"))

    async def filter(self, round_: int) -> float:
        theme = THEMES[round_ % 2]  # as the display round left it: a filter change only
        took = await timed(
            self.put(definition(theme, ("bad", "ugly"))), until(self.screen, "remove")
        )
        await self.put(definition(theme))
        await self.settle()
        return took

    async def hide(self, round_: int) -> float:
        vid = self.items[round_ % len(self.items)]["id"]
        return await timed(self.act(vid, "hide", reason="bench"), until(self.screen, "remove", vid))

    async def approve(self, round_: int) -> float:
        vid = self.items[round_ % len(self.items)]["id"]
        took = await timed(self.act(vid, "approve"), until(self.screen, "add", vid))
        await self.settle()
        return took

    async def rss(self, round_: int) -> float:
        item = self.items[round_ % len(self.items)]
        link = f"/feeds/{FEED}.rss"

        async def gone() -> None:
            async with asyncio.timeout(WAIT):
                while True:  # a feed reader can only poll
                    if item["id"] not in (await self.api.get(link)).text:
                        return
                    await asyncio.sleep(0.01)

        took = await timed(self.act(item["id"], "hide", reason="bench"), gone())
        await self.act(item["id"], "approve")
        await self.settle()
        return took

    async def spotlight(self, round_: int) -> float:
        vid = self.items[round_ % len(self.items)]["id"]
        shown = self.act(vid, "spotlight", feed=FEED, seconds=60)
        took = await timed(shown, until(self.screen, "spotlight"))
        (await self.api.delete(f"/api/v1/feeds/{FEED}/spotlight")).raise_for_status()
        await until(self.screen, "spotlight")
        return took

    async def sign_out(self, round_: int) -> float:
        async with httpx.AsyncClient(base_url=self.server.url, timeout=WAIT) as form:
            await sign_in(form)
            cookie = {"Cookie": f"voc_session={form.cookies['voc_session']}"}
            line = f"ws://127.0.0.1:{self.server.port}/ws/console"
            async with connect(
                line, additional_headers=cookie, origin=Origin(self.server.url)
            ) as ws:
                await until(ws, "changed")
                csrf = await form_token(form, "/console")
                return await timed(form.post("/console/signout", data={"csrf": csrf}), closed(ws))

    async def settle(self) -> None:
        """Let the screen's messages of the last change pass, then take its playlist afresh."""
        await asyncio.sleep(0.3)
        await self.screen.close()
        self.screen = await connect(f"{self.server.ws_url}/ws/feeds/{FEED}")
        self.items = (await until(self.screen, "snapshot"))["items"]


async def closed(ws: ClientConnection) -> None:
    async with asyncio.timeout(WAIT):
        try:
            while True:
                await ws.recv()
        except ConnectionClosed:
            return


async def form_token(c: httpx.AsyncClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', (await c.get(path)).text)
    if found is None:
        raise RuntimeError(f"no CSRF token on {path}")
    return found.group(1)


async def sign_in(c: httpx.AsyncClient) -> None:
    data = {"email": ADMIN, "password": PASSWORD, "csrf": await form_token(c, "/console/signin")}
    answer = await c.post("/console/signin", data=data)
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in refused: {answer.status_code}")


Measure = Callable[[Bench, int], Awaitable[float]]
MEASURES: dict[str, Measure] = {
    "display": Bench.display,
    "filter": Bench.filter,
    "hide": Bench.hide,
    "approve": Bench.approve,
    "rss": Bench.rss,
    "spotlight": Bench.spotlight,
    "sign-out": Bench.sign_out,
}


async def run(rounds: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory(prefix="voc-bench-reach-") as name:
        tmp = Path(name)
        db = await sample_db(tmp / "reach.db")
        token = accounts(db)
        server = await Server.ours([voc_ticker()], db, tmp / "server.log")
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=WAIT) as api:
                (
                    await api.put(f"/api/v1/feeds/{FEED}", json=definition("light"))
                ).raise_for_status()
                screen = await connect(f"{server.ws_url}/ws/feeds/{FEED}")
                bench = Bench(server, api, screen)
                bench.items = (await until(screen, "snapshot"))["items"]
                figures: dict[str, list[float]] = {kind: [] for kind in MEASURES}
                for round_ in range(rounds):
                    for kind, measure in MEASURES.items():
                        figures[kind].append(await measure(bench, round_))
                    print(f"round {round_ + 1}/{rounds}", file=sys.stderr, flush=True)
                await bench.screen.close()
                return figures
        finally:
            await server.stop()
            server.say_problems()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    figures = asyncio.run(run(args.rounds))
    print(
        f"{'request → seen':<12} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}  ({args.rounds} rounds)"
    )
    for kind, values in figures.items():
        p50, p99 = percentile(values, 0.5) or 0.0, percentile(values, 0.99) or 0.0
        print(f"{kind:<12} {p50:>7.0f} {p99:>7.0f} {max(values):>7.0f}")


if __name__ == "__main__":
    main()
