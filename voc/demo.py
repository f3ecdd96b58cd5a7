"""`voc-ticker demo`: sample_feedback/ in a fresh store, served, with comments trickling in."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from ingest.files import open_export
from ticker.accounts import Accounts
from ticker.feeds import Feed, FeedFilter
from ticker.judge import Judge
from ticker.pipeline import Pipeline, numbered
from ticker.records import Verbatim
from ticker.settings import Settings
from ticker.store import Store
from ticker.writer import Writer
from voc.server import bind, serve

SAMPLES = Path(__file__).resolve().parent.parent / "sample_feedback"
TRICKLE = "trickle.jsonl"
DEMO_FEEDS = [
    Feed("support", "Support", FeedFilter(sources=("support-csat",))),
    Feed("app", "App reviews", FeedFilter(sources=("app-store-reviews",))),
]


def source_name(path: Path) -> str:
    """support_csat.csv -> support-csat."""
    return path.stem.replace("_", "-").lower()


def load_samples(pipeline: Pipeline, samples: Path = SAMPLES) -> int:
    """Ingest every sample file but the trickle; returns how many comments were added."""
    added = 0
    for path in sorted(samples.glob("*.*")):
        if path.name == TRICKLE or path.suffix not in (".csv", ".jsonl"):
            continue
        export = open_export(path, source_name(path))
        report = pipeline.ingest(
            source_name(path), export.format, str(path), export.records, export.convert
        )
        added += report.added
        print(f"  {path.name}: {report.added} new, {len(report.quarantined)} quarantined")
    for feed in DEMO_FEEDS:
        pipeline.writes.write(partial(Store.save_feed, feed=feed))
    return added


def trickle(
    pipeline: Pipeline, every: float, stop: threading.Event, samples: Path = SAMPLES
) -> None:
    """Add one comment from trickle.jsonl every `every` seconds, as if it had just arrived."""
    export = open_export(samples / TRICKLE, "nps-relationship")
    rows = [r for r in export.rows if isinstance(r, Verbatim)]
    run = datetime.now(UTC).strftime("%Y%m%d%H%M%S")  # a second demo on the same store adds anew
    round_ = 0
    while rows and not stop.is_set():
        for row in rows:
            if stop.wait(every):
                break
            fresh = replace(
                row,
                response_id=f"{row.response_id}-{run}-{round_}",
                given_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            pipeline.ingest(fresh.source, "jsonl", "demo trickle", numbered([fresh]))
        round_ += 1


def run_demo(settings: Settings) -> None:
    """Load the samples, start the trickle, serve until interrupted: one writer for all."""
    judge = Judge.from_settings(settings)
    bound = bind(settings)  # a port already taken is said before anything is loaded
    print(f"Loading sample_feedback/ into {settings.db} …")
    writer = Writer(settings.db)
    try:
        pipeline = Pipeline(writer, judge, workers=1)
        added = load_samples(pipeline)
        total = writer.write(Store.count)
        print(f"  {added} new comments, {total} in all")
        stop = threading.Event()
        thread = threading.Thread(
            target=trickle, args=(pipeline, settings.trickle_seconds, stop), daemon=True
        )
        thread.start()
        page = f"{bound.url}display/all"
        print(f"\nVoC Ticker demo: open {bound.url}  (display page: {page})", flush=True)
        people = writer.write(lambda store: len(Accounts(store).users()))
        print(f"Console: {bound.url}console", end="")
        if people:
            print(f"  ({people} account{'s' if people != 1 else ''})\n", flush=True)
        else:
            print(
                "  (no accounts yet; in another terminal:\n"
                f"  voc-ticker users add you@example.com --role admin --db {settings.db})\n",
                flush=True,
            )
        try:
            serve(bound, {}, judge, writer)
        finally:
            stop.set()
            thread.join(timeout=5)
    finally:
        writer.close()
