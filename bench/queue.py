"""The curators' queue as the store grows: search and filter times at 10k, 100k and 1M comments.

Run: python -m bench.queue [--sizes 10000,100000,1000000] [--reps 20] [--mix both] [--keep DIR]

For each size a store is filled with generated comments by `bench.playlist.build` (eight sources,
four regions, a store that one comment in 5,000 names, two years, oldest first). As built, every
comment is approved, unflagged and of no known language; so the store is measured twice:

  built     as `bench.playlist.build` leaves it;
  curated   after a deterministic mix is written over it (`curate`): 3% pending, each flagged
            (profanity, mixed, both, or an untagged language), 1.5% hidden (with a hide in the
            curation log), and a language for every comment (4% fr, 3% de, 2% es, the rest en).

On one Store opened once per phase, each console query (`CASES`: the default view, every state,
a twentieth page by the `before` cursor, a bucket, a source and a score range, a month, metadata
values common, rare and absent, a reason, a language, full-text searches) runs once to warm up and
then `--reps` times through `ticker.queue.search`; `ticker.queue.counts` likewise. Printed: p50,
p95 and max milliseconds, the rows on the page ("50+": there is a next page), and for any query
slower than `--explain-over` ms at p95 its SQL and EXPLAIN QUERY PLAN. Also the build time, the
database file's size (and the FTS index's share) and how long rebuilding the FTS index takes (as
migration m011 does; rolled back, so the store is left as it was).

With `--keep DIR` the stores are kept in DIR and reused by later runs (build times remembered).
Results go to stdout, progress to stderr; the tests never run this.
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.fanout.stats import percentile
from bench.playlist import Built, build, parse_sizes
from ticker import queue
from ticker.store import Store

DEFAULT_SIZES = "10000,100000,1000000"
PHASES = ("built", "curated")
DEEP_PAGE = 20

Params = dict[str, list[str]]

# The mix `curate` writes: one hash of the rowid picks state and flags, another the language.
STATE_HASH = "((rowid * 2654435761) % 1000)"  # per mille
LANGUAGE_HASH = "((rowid * 40503 + 7) % 100)"  # per cent
CURATE = (
    f"UPDATE verbatims SET language = CASE WHEN {LANGUAGE_HASH} < 4 THEN 'fr' "
    f"WHEN {LANGUAGE_HASH} < 7 THEN 'de' WHEN {LANGUAGE_HASH} < 9 THEN 'es' ELSE 'en' END",
    f"UPDATE verbatims SET state = 'pending', flags = CASE WHEN {STATE_HASH} < 12 "
    """THEN '["profanity"]' """
    f"""WHEN {STATE_HASH} < 24 THEN '["mixed"]' """
    f"""WHEN {STATE_HASH} < 27 THEN '["profanity", "mixed"]' """
    """ELSE '["untagged language"]' END WHERE """
    f"{STATE_HASH} < 30",
    "UPDATE verbatims SET bucket = 'untagged', language = 'pl' "
    f"WHERE {STATE_HASH} >= 27 AND {STATE_HASH} < 30",
    f"""UPDATE verbatims SET state = 'hidden', flags = CASE WHEN {STATE_HASH} < 38 """
    """THEN '["profanity"]' ELSE '[]' END """
    f"WHERE {STATE_HASH} >= 30 AND {STATE_HASH} < 45",
    "INSERT INTO curation_log (at, actor, action, verbatim_id, detail) "
    """SELECT sort_at, 'bench', 'hide', id, '{"reason": "off topic"}' FROM verbatims """
    "WHERE state = 'hidden' ORDER BY rowid",
)
MIX = "3% pending (flagged), 1.5% hidden, languages en/fr/de/es"


@dataclass(frozen=True)
class Case:
    """One console query: URL parameters, or the page `page` of them, or `counts`."""

    label: str
    params: Params = field(default_factory=dict)
    page: int = 1
    counts: bool = False


@dataclass
class Timing:
    """One case on one store: milliseconds per repetition, and what the page held."""

    case: Case
    samples: list[float]
    rows: int = 0
    more: bool = False
    reached: int = 1  # the page timed (below `case.page` when there are fewer pages)
    sql: str = ""  # the page's own SELECT, its values in place (for EXPLAIN QUERY PLAN)

    def p(self, q: float) -> float:
        value = percentile(self.samples, q)
        assert value is not None
        return value

    @property
    def found(self) -> str:
        if self.case.counts:
            return "-"
        return f"{self.rows}+" if self.more else str(self.rows)


@dataclass
class Phase:
    """One size, one phase: how the store was made and what each case measured."""

    size: int
    phase: str
    built: Built | None  # None: reused, build time unknown
    reused: bool
    curate_s: float | None
    db_mb: float
    fts_mb: float | None
    states: dict[str, int]
    fts_rebuild_s: float | None = None
    timings: list[Timing] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)  # of the slow queries


def cases(store: Store) -> list[Case]:
    """The console queries, with values taken from the store where they depend on it."""
    newest = store.db.execute("SELECT max(sort_at) FROM verbatims").fetchone()[0]
    year, month = int(newest[:4]) - 1, int(newest[5:7])  # the month a year before the newest
    last = calendar.monthrange(year, month)[1]
    since, until = f"{year}-{month:02d}-01", f"{year}-{month:02d}-{last:02d}"
    # The oldest comment's reference number: a word one comment in a million has, the same at
    # every size (the first rows are generated alike whatever the total).
    oldest = store.db.execute("SELECT shown_text FROM verbatims ORDER BY rowid LIMIT 1").fetchone()
    found = re.search(r"\(ref (\d+)\)", oldest[0])
    rare = found.group(1) if found else "zebra"
    return [
        Case("default view: pending", {"state": ["pending"]}),
        Case("approved", {"state": ["approved"]}),
        Case("hidden", {"state": ["hidden"]}),
        Case("every state", {}),
        Case(f"pending, page {DEEP_PAGE}", {"state": ["pending"]}, page=DEEP_PAGE),
        Case(f"every state, page {DEEP_PAGE}", {}, page=DEEP_PAGE),
        Case("bucket=ugly", {"bucket": ["ugly"]}),
        Case(
            "source=nps-relationship, score 0-6",
            {"source": ["nps-relationship"], "min_score": ["0"], "max_score": ["6"]},
        ),
        Case(f"since {since} until {until}", {"since": [since], "until": [until]}),
        Case("meta region=LATAM", {"meta": ["region=LATAM"]}),
        Case("meta store=Leeds (1 in 5,000)", {"meta": ["store=Leeds"]}),
        Case("meta region=Atlantis (none)", {"meta": ["region=Atlantis"]}),
        Case("reason=profanity", {"reason": ["profanity"]}),
        Case("pending, reason=profanity", {"state": ["pending"], "reason": ["profanity"]}),
        Case("language=fr", {"language": ["fr"]}),
        Case('q="the" (common)', {"q": ["the"]}),
        Case('q="app" (a fifth)', {"q": ["app"]}),
        Case(f'q="{rare}" (rare: a ref)', {"q": [rare]}),
        Case('q="delivery late" (two words)', {"q": ["delivery late"]}),
        Case('q="deliv" (prefix)', {"q": ["deliv"]}),
        Case('q="d" (the first letter typed)', {"q": ["d"]}),
        Case('q="app", pending', {"q": ["app"], "state": ["pending"]}),
        Case("counts", counts=True),
    ]


def page_of(store: Store, params: Params, page: int) -> tuple[Params, int]:
    """The parameters of page `page` (following `next`), or of the last page if there are fewer;
    and which page that is."""
    reached = 1
    for _ in range(page - 1):
        nxt = queue.search(store, queue.Query.parse(params))["next"]
        if nxt is None:
            break
        params, reached = {**params, "before": [str(nxt)]}, reached + 1
    return params, reached


def measure(store: Store, case: Case, reps: int, budget: float) -> Timing:
    """Warm up once, then time `reps` runs (fewer, at least 5, once `budget` seconds are spent)."""
    timing = Timing(case, [])
    if case.counts:
        run: Callable[[], Any] = lambda: queue.counts(store)  # noqa: E731
    else:
        params, timing.reached = page_of(store, case.params, case.page)
        query = queue.Query.parse(params)
        run = lambda: queue.search(store, query)  # noqa: E731
        traced: list[str] = []
        store.db.conn.set_trace_callback(traced.append)
        try:
            result = run()
        finally:
            store.db.conn.set_trace_callback(None)
        timing.rows, timing.more = len(result["items"]), result["next"] is not None
        # The page's own SELECT: not FTS5's reads of its shadow tables, nor the cards' look-ups.
        timing.sql = next((s for s in traced if "FROM verbatims" in s), "")
    run()
    started = time.perf_counter()
    for i in range(reps):
        if i >= 5 and time.perf_counter() - started > budget:
            break
        t0 = time.perf_counter()
        run()
        timing.samples.append((time.perf_counter() - t0) * 1000)
    return timing


def curate(store: Store) -> float:
    """Write the mix (`MIX`) over a store as built; returns the seconds it took."""
    started = time.perf_counter()
    with store.transaction():
        for sql in CURATE:
            store.db.execute(sql)
    return time.perf_counter() - started


def fts_rebuild(store: Store) -> float:
    """Seconds to rebuild the FTS index from the table (what m011 does), rolled back after."""
    started = time.perf_counter()
    store.db.execute("BEGIN IMMEDIATE")
    try:
        store.db.execute("INSERT INTO verbatims_fts (verbatims_fts) VALUES ('rebuild')")
        return time.perf_counter() - started
    finally:
        store.db.execute("ROLLBACK")


def file_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def fts_mb(store: Store) -> float | None:
    """The FTS index's pages in MB (None when SQLite has no dbstat)."""
    try:
        sql = "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'verbatims_fts%'"
        return float(store.db.execute(sql).fetchone()[0] or 0) / 1e6
    except Exception:
        return None


def state_counts(store: Store) -> dict[str, int]:
    sql = "SELECT state, count(*) FROM verbatims GROUP BY state"
    return {str(s): int(n) for s, n in store.db.execute(sql).fetchall()}


# -- the stores ---------------------------------------------------------------------------------


@dataclass
class Made:
    """A store file for one size and phase, and how it came to be."""

    path: Path
    built: Built | None
    reused: bool
    curate_s: float | None = None


def remembered(path: Path) -> dict[str, Any]:
    note = path.with_name(path.name + ".json")
    return dict(json.loads(note.read_text())) if note.exists() else {}


def remember(path: Path, **facts: Any) -> None:
    note = path.with_name(path.name + ".json")
    note.write_text(json.dumps({**remembered(path), **facts}))


def built_store(path: Path, size: int, seed: int) -> Made:
    """The store as `bench.playlist.build` makes it, at `path` (reused if a run kept it)."""
    if path.exists():
        facts = remembered(path)
        seconds = facts.get("build_s")
        built = None if seconds is None else Built(size, seconds, facts.get("build_mb", 0.0))
        return Made(path, built, reused=True)
    partial = path.with_name(path.name + ".partial")
    for old in partial.parent.glob(partial.name + "*"):
        old.unlink()
    built = build(partial, size, seed)
    if list(partial.parent.glob(partial.name + "-*")):
        raise RuntimeError(f"{partial} was left with a WAL; not keeping it")
    partial.rename(path)
    remember(path, build_s=built.seconds, build_mb=built.megabytes)
    return Made(path, built, reused=False)


def curated_store(built: Made, path: Path) -> Made:
    """`built` with the mix written over it, at `path` (a copy; or in place if path is built's;
    reused if a run kept it)."""
    if path != built.path and path.exists():
        return Made(path, built.built, reused=True, curate_s=remembered(path).get("curate_s"))
    if path != built.path:
        shutil.copyfile(built.path, path)
    store = Store(path)
    try:
        seconds = curate(store)
    finally:
        store.close()
    if path != built.path:
        remember(path, curate_s=seconds)
    return Made(path, built.built, reused=built.reused, curate_s=seconds)


def run_phase(made: Made, size: int, phase: str, opts: argparse.Namespace) -> Phase:
    store = Store(made.path)
    try:
        result = Phase(
            size=size,
            phase=phase,
            built=made.built,
            reused=made.reused,
            curate_s=made.curate_s,
            db_mb=file_mb(made.path),
            fts_mb=fts_mb(store),
            states=state_counts(store),
        )
        for case in cases(store):
            print(f"  {phase}: {case.label}", file=sys.stderr, flush=True)
            result.timings.append(measure(store, case, opts.reps, opts.budget))
        if opts.fts_rebuild and phase == opts.phases[-1]:
            print(f"  {phase}: FTS rebuild", file=sys.stderr, flush=True)
            result.fts_rebuild_s = fts_rebuild(store)
        result.plans = plans(store, result, opts.explain_over)
        return result
    finally:
        store.close()


def run_size(size: int, folder: Path, keep: bool, opts: argparse.Namespace) -> list[Phase]:
    name = f"queue-{size}-seed{opts.seed}"
    print(f"{size:,} stored comments", file=sys.stderr, flush=True)
    made = built_store(folder / f"{name}.db", size, opts.seed)
    results = []
    if "built" in opts.phases:
        results.append(report(run_phase(made, size, "built", opts)))
    if "curated" in opts.phases:
        # Kept stores stay as built; a throwaway one is curated in place.
        curated = curated_store(made, folder / f"{name}-curated.db" if keep else made.path)
        results.append(report(run_phase(curated, size, "curated", opts)))
    return results


def report(r: Phase) -> Phase:
    print(detail(r), flush=True)
    if r.plans:
        print("\n".join(r.plans), flush=True)
    print(flush=True)
    return r


# -- the report ---------------------------------------------------------------------------------


def ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def render(rows: list[list[str]], left: int = 1) -> list[str]:
    """Columns padded: the first `left` to the left, the rest to the right."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]

    def line(row: list[str]) -> str:
        cells = enumerate(zip(row, widths, strict=True))
        return "  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in cells)

    out = [line(r) for r in rows]
    out.insert(1, "  ".join("-" * w for w in widths))
    return out


def headline(r: Phase) -> str:
    states = ", ".join(f"{r.states.get(s, 0):,} {s}" for s in queue.STATES)
    if r.built is None:
        made = "reused (build time not recorded)"
    else:
        made = f"built in {r.built.seconds:.1f} s ({r.size / r.built.seconds:,.0f} rows/s)"
        made += ", reused" if r.reused else ""
    if r.phase == "curated" and r.curate_s is not None:
        made += f"; mix written in {r.curate_s:.1f} s"
    fts = "" if r.fts_mb is None else f" (FTS index {r.fts_mb:,.0f} MB)"
    return f"{r.size:,} stored comments, {r.phase}: {made}; {r.db_mb:,.0f} MB{fts}; {states}"


def detail(r: Phase) -> str:
    rows = [["query", "rows", "p50 ms", "p95 ms", "max ms", "n"]]
    for t in r.timings:
        label = t.case.label
        if t.case.page > 1 and t.reached < t.case.page:
            label += f" (only {t.reached} pages)"
        rows.append(
            [label, t.found, ms(t.p(0.5)), ms(t.p(0.95)), ms(max(t.samples)), str(len(t.samples))]
        )
    lines = [headline(r), *("  " + line for line in render(rows))]
    if r.fts_rebuild_s is not None:
        lines.append(f"  FTS rebuild (as m011 does, rolled back): {r.fts_rebuild_s:.2f} s")
    return "\n".join(lines)


def plans(store: Store, r: Phase, over: float) -> list[str]:
    """SQL and EXPLAIN QUERY PLAN of every query slower than `over` ms at p95."""
    slow = [t for t in r.timings if t.sql and t.p(0.95) > over]
    if not slow:
        return []
    lines = [f"slower than {over:g} ms at p95 ({r.size:,}, {r.phase}):"]
    for t in slow:
        lines.append(f"  {t.case.label}: p95 {ms(t.p(0.95))} ms")
        lines.append(f"    {t.sql}")
        depth: dict[int, int] = {0: 0}
        for node, parent, _, text in store.db.execute(f"EXPLAIN QUERY PLAN {t.sql}"):
            depth[node] = depth.get(parent, 0) + 1
            lines.append("    " + "  " * depth[node] + str(text))
    return lines


def summary(results: Sequence[Phase]) -> str:
    """p95 of every query, every size side by side, for each phase."""
    out = []
    for phase in PHASES:
        mine = [r for r in results if r.phase == phase]
        if not mine:
            continue
        head = ["query", *(f"{r.size:,} p95" for r in mine)]
        rows = [head]
        for i, t in enumerate(mine[0].timings):
            rows.append([t.case.label, *(ms(r.timings[i].p(0.95)) for r in mine)])
        out.append(f"p95 ms, {phase}{' (' + MIX + ')' if phase == 'curated' else ''}:")
        out.extend("  " + line for line in render(rows))
        out.append("")
    return "\n".join(out).rstrip()


def load() -> str:
    """The machine's load average (1, 5, 15 minutes): other work skews the figures."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def parse_phases(text: str) -> tuple[str, ...]:
    chosen = PHASES if text == "both" else tuple(p for p in PHASES if p in text.split(","))
    if not chosen or text not in ("both", *PHASES, ",".join(PHASES)):
        raise argparse.ArgumentTypeError(f"--mix is built, curated or both, not {text!r}")
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.queue",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", type=parse_sizes, default=None, help=f"({DEFAULT_SIZES})")
    parser.add_argument("--reps", type=int, default=20, help="timed runs of each query (20)")
    parser.add_argument(
        "--budget",
        type=float,
        default=30.0,
        help="seconds per query after which no more runs start, once 5 are done (30)",
    )
    parser.add_argument(
        "--mix",
        dest="phases",
        type=parse_phases,
        default=PHASES,
        help="the store as built, curated (a mix of states, flags, languages) or both (both)",
    )
    parser.add_argument(
        "--explain-over",
        type=float,
        default=100.0,
        help="print the query plan of queries slower than this at p95, ms (100)",
    )
    parser.add_argument(
        "--no-fts-rebuild",
        dest="fts_rebuild",
        action="store_false",
        help="do not time a rebuild of the FTS index",
    )
    parser.add_argument(
        "--keep", type=Path, default=None, help="keep the stores in this folder, reuse them later"
    )
    parser.add_argument("--seed", type=int, default=7)
    opts = parser.parse_args(argv)
    sizes: list[int] = opts.sizes or parse_sizes(DEFAULT_SIZES)
    if opts.reps < 1:
        parser.error("--reps must be at least 1")

    print(f"queue.search and queue.counts, {opts.reps} warm runs each on one open Store")
    print(f"phases: {', '.join(opts.phases)}; curated = {MIX}")
    print(f"load average at the start: {load()}", flush=True)
    print(flush=True)
    results: list[Phase] = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="voc-bench-queue-") as name:
            keep = opts.keep is not None
            folder: Path = opts.keep if keep else Path(name)
            folder.mkdir(parents=True, exist_ok=True)
            results.extend(run_size(size, folder, keep, opts))
    print(summary(results))
    print(f"load average at the end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
