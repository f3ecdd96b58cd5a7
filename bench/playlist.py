"""Hide to screen as the store grows: 10k, 100k and 1M stored comments, eleven feeds watched.

Run: python -m bench.playlist [--sizes 10000,100000,1000000] [--rounds 20] [--quick]

For each size a fresh SQLite store is filled with generated comments, tagged in advance (a fixed
tag per bucket, no tagger), spread over eight sources, four regions, five products and two years.
Eleven feeds are defined (one of them a store that one comment in 5,000 names), the server
(`python -m voc serve`) is started on the store, and screens (websocket clients, `--screens`
per feed) watch every feed, each keeping its playlist up to date
from the events it gets (`ticker.playlist.apply`). Then, `--rounds` times, a comment on as many
feeds' playlists as possible is

  hidden    (`voc-ticker hide` does the same: another process writes; the server notices it
             within watch_seconds) and timed until every screen that showed it has seen `remove`,
  approved  and timed until each of those screens has it back (`add`),
  pinned    and timed until every screen that shows it has its `update`, and unpinned likewise.

The clock starts when this process's write has committed. p50 and p99 pool every (screen,
action) pair; max is the slowest screen of all. Between actions the benchmark waits for the
server to go quiet, so each action starts from a settled server. Results go to stdout, progress
to stderr; the tests never run this.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import itertools
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from bench.corpus import DETAILS
from bench.fanout.processes import REPO
from bench.fanout.stats import percentile
from bench.served import Server, released_ports
from ticker import curation
from ticker.feeds import DEFAULT_FEED, Feed, FeedFilter, default_feed
from ticker.playlist import apply
from ticker.records import Bucket, Scale, Stored, Tag, Verbatim
from ticker.rows import Tagged, row_for
from ticker.store import Store

DEFAULT_SIZES = "10000,100000,1000000"
QUICK_SIZES = "2000,20000"
CHUNK = 20_000
ACTOR = "bench"
YEARS = 2
TAG_VERSION = "bench-fixed"

Item = dict[str, Any]
Event = dict[str, Any]  # a message as it arrives on the wire

# name, scale, share of the comments
SOURCES: tuple[tuple[str, Scale | None, float], ...] = (
    ("support-csat", "csat5", 0.25),
    ("nps-relationship", "nps", 0.20),
    ("app-store", "stars5", 0.15),
    ("retail-stores", "csat5", 0.12),
    ("web-chat", None, 0.10),
    ("delivery", "nps", 0.08),
    ("onboarding", "nps", 0.05),
    ("billing", "csat5", 0.05),
)
REGIONS = ("EMEA", "NA", "APAC", "LATAM")
PRODUCTS = ("fridge", "oven", "dishwasher", "washer", "app")
CHANNELS = ("email", "chat", "phone", "store")
METAS = [
    {"region": r, "product": p, "channel": c} for r in REGIONS for p in PRODUCTS for c in CHANNELS
]
RARE_STORE = {"region": "EMEA", "product": "oven", "channel": "store", "store": "Leeds"}
RARE_EVERY = 5000  # one comment in 5,000 comes from the Leeds store: a feed of a rare value

# bucket, share, the tag every comment of the bucket gets, scores by scale, openings
BUCKETS: tuple[tuple[Bucket, float, Tag, dict[str, tuple[int, ...]], tuple[str, ...]], ...] = (
    (
        "good",
        0.48,
        Tag("good", 0.72, False, False, TAG_VERSION),
        {"nps": (9, 10), "csat5": (4, 5), "stars5": (4, 5)},
        (
            "The technician was friendly and fixed the fridge in twenty minutes",
            "Great price and the dishwasher is really quiet",
            "Love the new app, so easy to track my order",
            "Quick delivery and the driver carried it upstairs",
            "The agent solved my billing problem in five minutes",
        ),
    ),
    (
        "bad",
        0.27,
        Tag("bad", -0.45, False, False, TAG_VERSION),
        {"nps": (3, 4, 5, 6), "csat5": (2,), "stars5": (2,)},
        (
            "Delivery was late again and nobody called to say why",
            "App keeps crashing when I try to book an installation slot",
            "Support chat took forever before anyone answered",
            "The invoice was wrong and it took three calls to fix",
            "Waited 40 minutes on hold before anyone picked up",
        ),
    ),
    (
        "ugly",
        0.10,
        Tag("ugly", -0.86, False, False, TAG_VERSION),
        {"nps": (0, 1, 2), "csat5": (1,), "stars5": (1,)},
        (
            "Absolutely the worst service I have ever had, never again",
            "The oven arrived dented and the refund took six weeks, disgraceful",
            "Rude staff, a broken washer and nobody cares. Terrible",
            "Useless app, it lost my order twice and I am furious",
        ),
    ),
    (
        "neutral",
        0.15,
        Tag("neutral", 0.02, False, False, TAG_VERSION),
        {"nps": (7, 8), "csat5": (3,), "stars5": (3,)},
        (
            "It was ok, nothing special",
            "Delivered on the day they said",
            "Average experience overall",
            "The app does what it says",
        ),
    ),
)


def bench_feeds() -> list[Feed]:
    """The nine feeds besides "all" (which every store has): one of each kind of filter."""
    return [
        Feed("support", "Support", FeedFilter(sources=("support-csat",))),
        Feed("nps", "NPS", FeedFilter(sources=("nps-relationship",))),
        Feed("app-store", "App reviews", FeedFilter(sources=("app-store",))),
        Feed("stores-chat", "Stores and chat", FeedFilter(sources=("retail-stores", "web-chat"))),
        Feed("last-30-days", "Last 30 days", FeedFilter(max_age_days=30)),
        Feed("emea", "EMEA", FeedFilter(meta={"region": ("EMEA",)})),
        Feed("bad-ugly", "The bad and the ugly", FeedFilter(buckets=("bad", "ugly"))),
        Feed(
            "support-emea",
            "Support, EMEA",
            FeedFilter(sources=("support-csat",), meta={"region": ("EMEA",)}),
        ),
        Feed("ugly-week", "Ugly this week", FeedFilter(buckets=("ugly",), max_age_days=7)),
        Feed("leeds", "Leeds store", FeedFilter(meta={"store": ("Leeds",)})),
    ]


def describe(feed: Feed) -> str:
    """A feed's filter on one line."""
    f = feed.filter
    parts = [f"sources {','.join(f.sources)}" if f.sources else "all sources"]
    parts.append(f"buckets {','.join(f.buckets)}")
    parts += [f"{k}={v}" for k, v in sorted(f.meta.items())]
    if f.max_age_days is not None:
        parts.append(f"last {f.max_age_days} days")
    return "; ".join(parts)


# -- the store ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """A store made for one size."""

    rows: int
    seconds: float
    megabytes: float


Row = tuple[Any, ...]


@dataclass(frozen=True)
class Span:
    """One chunk of the store to generate: comments `first` to `first + count`, in time order."""

    first: int
    count: int
    total: int
    seed: int
    end: float  # POSIX time of the freshest comment


def cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return [c / total for c in out]


SOURCE_CUTS = cumulative([s[2] for s in SOURCES])
BUCKET_CUTS = cumulative([b[1] for b in BUCKETS])


def generate(span: Span) -> list[tuple[str, list[Row]]]:
    """The span's rows by source: `row_for` of a verbatim given over the last two years, the
    oldest first (a store fills in time order), with a fixed tag per bucket. Run in workers."""
    rng = random.Random(span.seed * 1_000_003 + span.first)
    pick = rng.random
    step = timedelta(days=365 * YEARS).total_seconds() / span.total
    stamp = datetime.fromtimestamp(span.end, UTC).isoformat(timespec="seconds")
    by_source: dict[str, list[Row]] = {}
    for i in range(span.first, span.first + span.count):
        source, scale, _ = SOURCES[bisect.bisect(SOURCE_CUTS, pick())]
        _, _, tag, scores, openings = BUCKETS[bisect.bisect(BUCKET_CUTS, pick())]
        opening = openings[int(pick() * len(openings))]
        text = f"{opening}{DETAILS[int(pick() * len(DETAILS))]} (ref {int(pick() * 1e6):06d})"
        at = span.end - (span.total - i - pick()) * step
        if scale is None:
            score = None
        else:
            values = scores[scale]
            score = float(values[int(pick() * len(values))])
        verbatim = Verbatim(
            source=source,
            text=text,
            response_id=f"r{i:08d}",
            score=score,
            scale=scale,
            given_at=datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds"),
            # shared dicts: nothing changes a verbatim's meta
            meta=RARE_STORE if i % RARE_EVERY == 0 else METAS[int(pick() * len(METAS))],
        )
        tagged = Tagged(verbatim, tag, flags=(), state="approved", shown_text=text)
        by_source.setdefault(source, []).append(row_for(tagged, stamp))
    return sorted(by_source.items())


def spans(rows: int, seed: int) -> list[Span]:
    end = time.time()
    return [Span(f, min(CHUNK, rows - f), rows, seed, end) for f in range(0, rows, CHUNK)]


def build(path: Path, rows: int, seed: int) -> Built:
    """A fresh store of `rows` generated comments and the benchmark's feeds; progress on stderr.

    Worker processes make the rows (`row_for` is most of the time) while this one inserts them.
    """
    started = time.perf_counter()
    store = Store(path)
    try:
        # This connection only: a throwaway file needs no fsync, and a big page cache keeps the
        # random primary-key inserts off the disk. The server opens the file with its own.
        store.db.execute("PRAGMA synchronous = OFF")
        store.db.execute("PRAGMA cache_size = -262144")
        for name, _, _ in SOURCES:
            store.ensure_source(name, "bench")
        for feed in bench_feeds():
            store.save_feed(feed)
        done, shown = 0, 0.0
        workers = os.cpu_count() or 1
        todo = iter(spans(rows, seed))
        with ProcessPoolExecutor(workers) as pool:
            ahead = [pool.submit(generate, span) for span in itertools.islice(todo, 2 * workers)]
            while ahead:  # in order, a few chunks ahead: memory stays bounded
                chunk = ahead.pop(0).result()
                ahead.extend(pool.submit(generate, span) for span in itertools.islice(todo, 1))
                for source, batch in chunk:
                    done += store.store_rows(batch, source)[0]
                if done < rows:
                    shown = progress(done, rows, started, shown)
        progress(done, rows, started, 0.0, last=True)
    finally:
        store.close()
    if done != rows:
        raise RuntimeError(f"built {done:,} comments, expected {rows:,}")
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return Built(rows, time.perf_counter() - started, size / 1e6)


def progress(done: int, total: int, started: float, shown: float, last: bool = False) -> float:
    """One progress line on stderr at most every second (and the last); returns when shown."""
    now = time.perf_counter()
    if not last and now - shown < 1.0:
        return shown
    elapsed = max(now - started, 1e-9)
    end = "\n" if last or not sys.stderr.isatty() else ""
    print(
        f"\r  building: {done:>9,} / {total:,} comments, {done / elapsed:>7,.0f} rows/s",
        end=end,
        file=sys.stderr,
        flush=True,
    )
    return now


# -- the server ---------------------------------------------------------------------------------


async def serve(repo: Path, db: Path, log: Path, within: float) -> Server:
    """`python -m voc serve` on the store from the checkout `repo`, or `-m ticker` before the CLI
    moved to voc/ (to compare with an older commit)."""
    env = {"PYTHONPATH": str(repo)}
    if (repo / "voc" / "__main__.py").exists():
        program = [sys.executable, "-m", "voc"]
        return await Server.ours(program, db, log, env=env, cwd=repo, within=within)
    # Those checkouts cannot be told `--port 0`: ports released just now (racy).
    port, stream_port = released_ports(2)
    command = [sys.executable, "-m", "ticker", "serve", "--db", str(db)]
    command += ["--port", str(port), "--stream-port", str(stream_port)]
    ports = (port, stream_port)
    return await Server.start(command, log, ports=ports, env=env, cwd=repo, within=within)


# -- the screens --------------------------------------------------------------------------------

Match = Callable[[Event], bool]


class Screen:
    """One websocket client on one feed: its playlist, kept current, and who waits for what."""

    def __init__(self, feed: str, ws: ClientConnection, items: list[Item]) -> None:
        self.feed, self.ws, self.items = feed, ws, items
        self.waiting: list[tuple[Match, asyncio.Future[float]]] = []
        self.last_event = time.perf_counter()
        self.closed = False
        self.task = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str, feed: str, within: float) -> Screen:
        ws = await connect(
            url,
            compression=None,
            max_size=None,
            ping_interval=None,
            proxy=None,
            open_timeout=within,
        )
        try:
            async with asyncio.timeout(within):
                first = json.loads(await ws.recv())
        except BaseException:
            await ws.close()
            raise
        if first.get("type") != "snapshot":
            await ws.close()
            raise RuntimeError(f"feed {feed}: expected a snapshot first, got {first!r:.200}")
        return cls(feed, ws, list(first["items"]))

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                at = time.perf_counter()
                event: Event = json.loads(raw)
                kind = event.get("type")
                if kind in ("add", "update", "remove"):
                    wire: Any = event  # checked by its type, as a widget would
                    self.items = apply(self.items, [wire])
                    self.last_event = at
                elif kind == "snapshot":  # not expected without a reconnect; take it whole
                    self.items, self.last_event = list(event["items"]), at
                for entry in list(self.waiting):
                    match, future = entry
                    if future.done() or match(event):
                        if not future.done():
                            future.set_result(at)
                        self.waiting.remove(entry)
        finally:
            self.closed = True

    def holds(self, verbatim_id: str) -> bool:
        return any(i["id"] == verbatim_id for i in self.items)

    def expect(self, match: Match) -> asyncio.Future[float]:
        """A future set to the time the first event that matches arrives."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting.append((match, future))
        return future

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task
        with contextlib.suppress(Exception):
            await self.ws.close()


async def quiet(screens: Sequence[Screen], gap: float, limit: float) -> None:
    """Wait until no playlist event has arrived on any screen for `gap` seconds (or `limit`)."""
    deadline = time.perf_counter() + limit
    while (now := time.perf_counter()) < deadline:
        idle = now - max(s.last_event for s in screens)
        if idle >= gap:
            return
        await asyncio.sleep(gap - idle)


# -- the actions --------------------------------------------------------------------------------


def removed(verbatim_id: str) -> Match:
    return lambda e: e.get("type") == "remove" and e.get("id") == verbatim_id


def shown(verbatim_id: str, pinned: bool | None = None) -> Match:
    def match(e: Event) -> bool:
        if e.get("type") not in ("add", "update") or e["item"]["id"] != verbatim_id:
            return False
        return pinned is None or e["item"]["pinned"] is pinned

    return match


def unpinned(verbatim_id: str) -> Match:
    """Unpinned: an `update`, or a `remove` where only the pin had brought it in."""
    pin_off = shown(verbatim_id, pinned=False)
    return lambda e: pin_off(e) or removed(verbatim_id)(e)


ACTIONS = ("hide", "approve", "pin", "unpin")
LABELS = {
    "hide": "hide → remove",
    "approve": "approve → add",
    "pin": "pin → update",
    "unpin": "unpin → update",
}


@dataclass
class Timings:
    """One kind of action at one size: a latency per (screen, action), in ms."""

    samples: list[float] = field(default_factory=list)
    actions: int = 0
    missed: int = 0  # screens that should have seen the event and did not, within the timeout
    screens: int = 0  # screens that held the comment, over all actions
    feeds: int = 0  # feeds whose playlist held the comment, over all actions

    def p(self, q: float) -> float | None:
        return percentile(self.samples, q)

    @property
    def max(self) -> float | None:
        return max(self.samples) if self.samples else None


@dataclass
class SizeResult:
    """What one size measured."""

    stored: int
    build_s: float
    build_rows_s: float
    db_mb: float
    healthy_s: float
    connect_s: float
    screens: int
    playlist_sizes: dict[str, int]
    server_count: int | None  # comments the server's /healthz counted
    timings: dict[str, Timings] = field(default_factory=lambda: {a: Timings() for a in ACTIONS})
    closed: int = 0


class Curator:
    """This process's own Store, on one thread of its own, writing like `voc-ticker hide`."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="curator")
        self.store: Store | None = None

    async def __aenter__(self) -> Curator:
        self.store = await asyncio.get_running_loop().run_in_executor(self.pool, Store, self.db)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.store is not None:
            await asyncio.get_running_loop().run_in_executor(self.pool, self.store.close)
        self.pool.shutdown(wait=True)

    async def act(self, action: str, verbatim_id: str) -> float:
        """Run a curation action; returns the perf_counter reading just after it committed."""
        run: Callable[[Store, str, str], Stored] = getattr(curation, action)

        def work() -> float:
            assert self.store is not None
            run(self.store, verbatim_id, ACTOR)
            return time.perf_counter()

        return await asyncio.get_running_loop().run_in_executor(self.pool, work)


async def timed(
    curator: Curator,
    action: str,
    verbatim_id: str,
    watchers: Sequence[Screen],
    match: Match,
    timings: Timings,
    within: float,
) -> float:
    """One action, timed to each watcher's matching event; returns the slowest, in seconds."""
    futures = [s.expect(match) for s in watchers]
    committed = await curator.act(action, verbatim_id)
    slowest = 0.0
    if futures:
        done, pending = await asyncio.wait(futures, timeout=within)
        for future in pending:
            future.cancel()
        for future in done:
            latency = future.result() - committed
            slowest = max(slowest, latency)
            timings.samples.append(latency * 1000)
        timings.missed += len(pending)
        if pending:
            slowest = within
    timings.actions += 1
    timings.screens += len(watchers)
    timings.feeds += len({s.feed for s in watchers})
    return slowest


def pick(screens: Sequence[Screen], used: set[str], rng: random.Random) -> str:
    """A comment on the "all" feed's playlist that is on the most feeds' playlists."""
    first: dict[str, Screen] = {}
    for s in screens:
        first.setdefault(s.feed, s)
    ids = [str(i["id"]) for i in first[DEFAULT_FEED].items if not i["pinned"]]
    if not ids:
        raise RuntimeError('the "all" feed has nothing to hide')
    fresh = [i for i in ids if i not in used] or ids
    reach = {i: sum(s.holds(i) for s in first.values()) for i in fresh}
    best = max(reach.values())
    return rng.choice(sorted(i for i in fresh if reach[i] == best))


async def measure(db: Path, tmp: Path, built: Built, opts: argparse.Namespace) -> SizeResult:
    """Serve the store, watch every feed, and time `opts.rounds` rounds of curation."""
    started = time.perf_counter()
    server = await serve(opts.server_repo, db, tmp / "server.log", opts.timeout)
    screens: list[Screen] = []
    try:
        healthy_s = time.perf_counter() - started
        names = [DEFAULT_FEED, *(f.name for f in bench_feeds())]
        started = time.perf_counter()
        opened = await asyncio.gather(
            *(
                Screen.open(f"{server.ws_url}/ws/feeds/{name}", name, opts.timeout)
                for name in names
                for _ in range(opts.screens)
            ),
            return_exceptions=True,
        )
        screens = [s for s in opened if isinstance(s, Screen)]
        failed = [s for s in opened if not isinstance(s, Screen)]
        if failed:
            raise RuntimeError(f"{len(failed)} screens could not connect: {failed[0]!r}")
        result = SizeResult(
            stored=built.rows,
            build_s=built.seconds,
            build_rows_s=built.rows / built.seconds,
            db_mb=built.megabytes,
            healthy_s=healthy_s,
            connect_s=time.perf_counter() - started,
            screens=len(screens),
            playlist_sizes={s.feed: len(s.items) for s in screens},
            server_count=(server.health or {}).get("comments"),
        )
        rng = random.Random(opts.seed)
        used: set[str] = set()
        async with Curator(db) as curator:
            await quiet(screens, opts.settle, opts.timeout)
            for round_no in range(opts.rounds):
                server.check()
                if any(s.closed for s in screens):
                    raise RuntimeError(f"{sum(s.closed for s in screens)} screens disconnected")
                verbatim_id = pick(screens, used, rng)
                used.add(verbatim_id)
                held = [s for s in screens if s.holds(verbatim_id)]
                steps: list[tuple[str, Sequence[Screen], Match]] = [
                    ("hide", held, removed(verbatim_id)),
                    ("approve", held, shown(verbatim_id)),
                    ("pin", [], shown(verbatim_id, pinned=True)),
                    ("unpin", [], unpinned(verbatim_id)),
                ]
                slowest: dict[str, float] = {}
                for action, watchers, match in steps:
                    if action in ("pin", "unpin"):  # whoever shows it now
                        watchers = [s for s in screens if s.holds(verbatim_id)]
                    slowest[action] = await timed(
                        curator,
                        action,
                        verbatim_id,
                        watchers,
                        match,
                        result.timings[action],
                        opts.timeout,
                    )
                    # A change rebuilds every watched feed, not only those that show the comment:
                    # give the rest of that pass as long again before the next action.
                    await asyncio.sleep(slowest[action])
                    await quiet(screens, opts.settle, opts.timeout)
                print(
                    f"  round {round_no + 1:>2}/{opts.rounds}: {verbatim_id} on "
                    f"{len({s.feed for s in held})} feeds; to the last screen: "
                    + ", ".join(f"{a} {t * 1000:,.0f} ms" for a, t in slowest.items()),
                    file=sys.stderr,
                    flush=True,
                )
        result.closed = sum(s.closed for s in screens)
        return result
    finally:
        await asyncio.gather(*(s.close() for s in screens))
        await server.stop()
        server.say_problems()


# -- the report ---------------------------------------------------------------------------------


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def detail(r: SizeResult) -> str:
    """One size, several lines: the store, the screens, each kind of action."""
    sizes = sorted(set(r.playlist_sizes.values()))
    counted = "" if r.server_count is None else f", the server counts {r.server_count:,}"
    lines = [
        f"{r.stored:,} stored comments: built in {r.build_s:.1f} s ({r.build_rows_s:,.0f} rows/s, "
        f"{r.db_mb:,.0f} MB){counted}",
        f"  server healthy in {r.healthy_s:.1f} s; {r.screens} screens on "
        f"{len(r.playlist_sizes)} feeds had their snapshots in {r.connect_s:.1f} s "
        f"(playlists of {sizes[0]}-{sizes[-1]} items)",
    ]
    for action in ACTIONS:
        t = r.timings[action]
        per = t.screens / t.actions if t.actions else 0.0
        feeds = t.feeds / t.actions if t.actions else 0.0
        lines.append(
            f"  {LABELS[action]:<15} p50 {ms(t.p(0.5)):>6} ms  p99 {ms(t.p(0.99)):>6} ms  "
            f"max {ms(t.max):>6} ms  ({t.actions} actions, {per:.1f} screens on {feeds:.1f} "
            f"feeds each, {t.missed} missed)"
        )
    if r.closed:
        lines.append(f"  {r.closed} screens were disconnected by the end")
    return "\n".join(lines)


def table(results: Sequence[SizeResult]) -> str:
    """All sizes side by side, then the largest against the smallest."""
    head = ["stored", "build s", "hide p50", "hide p99", "hide max"]
    head += ["approve p50", "approve p99", "pin p50", "pin p99", "missed"]
    rows = [head]
    for r in results:
        t = r.timings
        rows.append(
            [
                f"{r.stored:,}",
                f"{r.build_s:.1f}",
                ms(t["hide"].p(0.5)),
                ms(t["hide"].p(0.99)),
                ms(t["hide"].max),
                ms(t["approve"].p(0.5)),
                ms(t["approve"].p(0.99)),
                ms(t["pin"].p(0.5)),
                ms(t["pin"].p(0.99)),
                str(sum(x.missed for x in t.values())),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    out = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    out.insert(1, "  ".join("-" * w for w in widths))
    out.append(
        "(ms from the commit until a screen has the event: p50 and p99 over every screen of every"
        " action, max the slowest screen)"
    )
    if len(results) > 1:
        small, large = min(results, key=lambda r: r.stored), max(results, key=lambda r: r.stored)
        ratios = []
        for action, q in (("hide", 0.5), ("hide", 0.99), ("approve", 0.99), ("pin", 0.99)):
            a, b = large.timings[action].p(q), small.timings[action].p(q)
            ratio = "-" if a is None or not b else f"{a / b:.2f}x"
            ratios.append(f"{action} p{round(q * 100)} {ratio}")
        out.append(f"{large.stored:,} vs {small.stored:,}: " + ", ".join(ratios))
    return "\n".join(out)


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes must be whole numbers: {text!r}") from None
    if not sizes or min(sizes) < 100:
        raise argparse.ArgumentTypeError("each size must be at least 100 comments")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.playlist",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", type=parse_sizes, default=None, help=f"({DEFAULT_SIZES})")
    parser.add_argument("--quick", action="store_true", help=f"a smoke run: --sizes {QUICK_SIZES}")
    parser.add_argument("--rounds", type=int, default=20, help="hides (etc.) per size (20)")
    parser.add_argument("--screens", type=int, default=2, help="websocket clients per feed (2)")
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds to wait for any one thing (120)"
    )
    parser.add_argument(
        "--settle", type=float, default=0.3, help="seconds without events that mean quiet (0.3)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--server-repo",
        type=Path,
        default=REPO,
        help="run the server from this checkout, e.g. an older commit's `git archive` (this one)",
    )
    opts = parser.parse_args(argv)
    opts.server_repo = opts.server_repo.resolve()
    sizes: list[int] = opts.sizes or parse_sizes(QUICK_SIZES if opts.quick else DEFAULT_SIZES)
    if opts.rounds < 1 or opts.screens < 1:
        parser.error("--rounds and --screens must be at least 1")

    feeds = [default_feed(), *bench_feeds()]
    if opts.server_repo != REPO:
        print(f"server run from {opts.server_repo}")
    print(f"{len(feeds)} feeds watched, {opts.screens} screens each, {opts.rounds} rounds a size:")
    for feed in feeds:
        print(f"  {feed.name:<13} {describe(feed)}")
    print(flush=True)

    results: list[SizeResult] = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="voc-bench-playlist-") as name:
            tmp = Path(name)
            db = tmp / "playlist.db"
            print(f"{size:,} stored comments", file=sys.stderr, flush=True)
            built = build(db, size, opts.seed)
            result = asyncio.run(measure(db, tmp, built, opts))
        results.append(result)
        print(detail(result), flush=True)
        print(flush=True)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
