"""`voc-ticker demo`: sample_feedback/ in a fresh store, served, with comments trickling in."""

from __future__ import annotations

import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from ingest.files import open_export
from ticker.feeds import Feed, FeedFilter
from ticker.pipeline import Pipeline, numbered
from ticker.records import Verbatim
from ticker.redact import Redactor
from ticker.sentiment import Tagger
from ticker.server import serve
from ticker.settings import Settings
from ticker.store import Store

SAMPLES = Path(__file__).resolve().parent.parent / "sample_feedback"
TRICKLE = "trickle.jsonl"
DEMO_FEEDS = [
    Feed("support", "Support", FeedFilter(sources=("support-csat",))),
    Feed("app", "App reviews", FeedFilter(sources=("app-store-reviews",))),
]


def source_name(path: Path) -> str:
    """support_csat.csv -> support-csat."""
    return path.stem.replace("_", "-").lower()


def load_samples(store: Store, pipeline: Pipeline, samples: Path = SAMPLES) -> int:
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
        store.save_feed(feed)
    return added


def trickle(
    db: Path, every: float, stop: threading.Event, redactor: Redactor, samples: Path = SAMPLES
) -> None:
    """Add one comment from trickle.jsonl every `every` seconds, as if it had just arrived."""
    store = Store(db)
    pipeline = Pipeline(store, Tagger(), workers=1, redactor=redactor)
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
    store.close()


def run_demo(settings: Settings) -> None:
    """Load the samples, start the trickle, serve until interrupted."""
    print(f"Loading sample_feedback/ into {settings.db} …")
    store = Store(settings.db)
    redactor = Redactor(settings.phone_regions, settings.mask_patterns)
    tagger = Tagger(score_chars=settings.score_chars)
    added = load_samples(store, Pipeline(store, tagger, workers=1, redactor=redactor))
    print(f"  {added} new comments, {store.count()} in all")
    store.close()
    stop = threading.Event()
    thread = threading.Thread(
        target=trickle, args=(settings.db, settings.trickle_seconds, stop, redactor), daemon=True
    )
    thread.start()
    url = f"http://{settings.host}:{settings.port}/"
    print(f"\nVoC Ticker demo: open {url}  (display page: {url}display/all)\n", flush=True)
    sys.stdout.flush()
    try:
        serve(settings)
    finally:
        stop.set()
        thread.join(timeout=5)
