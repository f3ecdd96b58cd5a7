"""Time to the first comment on screen: the embed page in headless Chromium, loaded N times.

Run: python -m bench.firstpaint [--loads 20]
Starts `voc-ticker serve` on the sample feedback, loads /embed/all in a fresh browser context each
time, and prints percentiles of (a) navigation start to the first comment and (b) the page's load
event to the first comment. Also prints the widget's size, gzipped.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from bench.fanout.server import free_port

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
FIRST_ITEM = """() => new Promise(done => {
  const look = () => {
    const w = document.querySelector('voc-ticker');
    if (w && w.shadowRoot && w.shadowRoot.querySelector('.item')) {
      const nav = performance.getEntriesByType('navigation')[0];
      done([performance.now(), nav.loadEventEnd]);
    } else requestAnimationFrame(look);
  };
  look();
})"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loads", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db, port = Path(tmp) / "fp.db", free_port()
        cli = [sys.executable, "-m", "ticker"]
        sample = ROOT / "sample_feedback" / "support_csat.csv"
        subprocess.run(
            [*cli, "ingest", str(sample), "--source", "s", "--db", str(db)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        env = {**os.environ, "VOC_LOG_LEVEL": "warning"}
        server = subprocess.Popen([*cli, "serve", "--db", str(db), "--port", str(port)], env=env)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            from_nav, from_load = measure(f"http://127.0.0.1:{port}/embed/all", args.loads)
        finally:
            server.terminate()
            server.wait(timeout=10)
    size = len(gzip.compress((ROOT / "web" / "static" / "ticker.js").read_bytes(), 9))
    print(f"widget: ticker.js {size:,} bytes gzipped (its CSS included)")
    print(f"{'first comment':<28} {'p50 ms':>7} {'p90 ms':>7} {'max ms':>7}  ({args.loads} loads)")
    for label, values in (
        ("after navigation start", from_nav),
        ("after the load event", from_load),
    ):
        print(
            f"{label:<28} {statistics.median(values):>7.0f} {percentile(values, 90):>7.0f} "
            f"{max(values):>7.0f}"
        )


def measure(url: str, loads: int) -> tuple[list[float], list[float]]:
    """Milliseconds to the first comment, from navigation start and from the load event."""
    from_nav, from_load = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        for _ in range(loads):
            context = browser.new_context()
            page = context.new_page()
            page.goto(url, wait_until="commit")
            shown, loaded = page.evaluate(FIRST_ITEM)
            from_nav.append(shown)
            from_load.append(max(0.0, shown - loaded) if loaded else 0.0)  # before the load event
            context.close()
        browser.close()
    return from_nav, from_load


if __name__ == "__main__":
    main()
