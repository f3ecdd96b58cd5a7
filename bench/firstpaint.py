"""Time to the first comment on screen: the embed page in headless Chromium, loaded N times.

Run: python -m bench.firstpaint [--loads 20]
Starts `voc-ticker serve` on the sample feedback, loads /embed/all in a fresh browser context each
time, and prints percentiles of (a) navigation start to the first comment and (b) the page's load
event to the first comment. Also prints the widget's size, gzipped.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import statistics
import tempfile
from pathlib import Path

from playwright.async_api import async_playwright

from bench.fanout.processes import REPO
from bench.served import Server, sample_db, voc_ticker

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
    from_nav, from_load = asyncio.run(first_paints(args.loads))
    size = len(gzip.compress((REPO / "web" / "static" / "ticker.js").read_bytes(), 9))
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


async def first_paints(loads: int) -> tuple[list[float], list[float]]:
    """Serve the sample feedback and measure `loads` page loads of /embed/all."""
    with tempfile.TemporaryDirectory(prefix="voc-bench-firstpaint-") as name:
        tmp = Path(name)
        db = await sample_db(tmp / "fp.db")
        server = await Server.ours([voc_ticker()], db, tmp / "server.log")
        try:
            return await measure(f"{server.url}/embed/all", loads)
        finally:
            await server.stop()
            server.say_problems()


async def measure(url: str, loads: int) -> tuple[list[float], list[float]]:
    """Milliseconds to the first comment, from navigation start and from the load event."""
    from_nav, from_load = [], []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        for _ in range(loads):
            context = await browser.new_context()
            page = await context.new_page()
            await page.goto(url, wait_until="commit")
            shown, loaded = await page.evaluate(FIRST_ITEM)
            from_nav.append(shown)
            from_load.append(max(0.0, shown - loaded) if loaded else 0.0)  # before the load event
            await context.close()
        await browser.close()
    return from_nav, from_load


if __name__ == "__main__":
    main()
