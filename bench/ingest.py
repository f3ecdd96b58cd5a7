"""Ingest throughput: generated exports of 10k and 100k rows through the real CLI path.

Run: python -m bench.ingest [--rows 10000,100000] [--workers 0]
Prints rows/s for the whole import (read, detect, tag, moderate, store) into a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

from bench.corpus import DETAILS
from ingest.files import open_export
from ticker.judge import Judge
from ticker.pipeline import Pipeline
from ticker.settings import Settings
from ticker.store import Store

OPENINGS = [
    "The technician was friendly and fixed the fridge in twenty minutes",
    "Delivery was late again and nobody called to say why",
    "Absolutely the worst service I have ever had, never again",
    "App keeps crashing when I try to book an installation slot",
    "Great price and the dishwasher is really quiet",
    "Support chat took forever but the agent was polite in the end",
    "n/a",
    "The oven arrived dented and the refund took six weeks",
    "Love the new app, so easy to track my order",
    "It was ok, nothing special",
]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """A CSAT-style export with realistic lengths, ids, dates and a few metadata columns."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["Response ID", "Submitted At", "CSAT", "Comment", "Channel", "Region"])
        for i in range(rows):
            text = rng.choice(OPENINGS) + rng.choice(DETAILS) + f" (order {rng.randint(1, 10**6)})"
            out.writerow(
                [
                    f"R{i:08d}",
                    f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T10:00:00Z",
                    rng.randint(1, 5),
                    text,
                    rng.choice(["chat", "email", "phone"]),
                    rng.choice(["EMEA", "NA", "APAC"]),
                ]
            )


def run(rows: int, workers: int) -> tuple[float, int]:
    """Seconds to import `rows` generated rows, and how many were added."""
    with tempfile.TemporaryDirectory() as tmp:
        export_path = Path(tmp) / "export.csv"
        generate(export_path, rows)
        store = Store(Path(tmp) / "bench.db")
        started = time.perf_counter()
        export = open_export(export_path, "bench")
        pipeline = Pipeline(store, Judge.from_settings(Settings()), workers)
        report = pipeline.ingest("bench", "csv", "bench", export.records, export.convert)
        elapsed = time.perf_counter() - started
        store.close()
    return elapsed, report.added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="10000,100000", help="comma-separated row counts")
    parser.add_argument("--workers", type=int, default=0, help="tagging processes, 0: per core")
    args = parser.parse_args()
    print(f"{'rows':>8} {'seconds':>8} {'rows/s':>8} {'added':>8}")
    for rows in (int(r) for r in args.rows.split(",")):
        elapsed, added = run(rows, args.workers)
        print(f"{rows:>8,} {elapsed:>8.2f} {rows / elapsed:>8,.0f} {added:>8,}")


if __name__ == "__main__":
    main()
