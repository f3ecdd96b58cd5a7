"""The honesty meter: the mix a feed shows beside the mix of what its customers said.

"Received" is every comment of the feed's sources, metadata and languages within its window
(its age window, or the last 30 days), whatever its state, score and whatever buckets the feed
lets through: a feed that filters out the bad (or the low scores) must not look honest by its
own filter. "Shown" is the feed's
playlist as screens have it. A feed whose share of bad and ugly on screen is under half of the
share customers gave is a praise wall: the console flags it, and saving such a feed needs an
admin to confirm it with a reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ticker.feeds import Feed
from ticker.protocol import Item
from ticker.queue import feed_scope
from ticker.records import SHOWN_BUCKETS
from ticker.store import Store

WINDOW_DAYS = 30  # for a feed with no age window of its own
PRAISE_WALL = 0.5  # shown negative share under this fraction of the received one


@dataclass(frozen=True)
class Meter:
    feed: str
    window_days: int
    shown: dict[str, int]
    received: dict[str, int]

    @staticmethod
    def _negative(counts: dict[str, int]) -> float | None:
        total = sum(counts.values())
        return (counts["bad"] + counts["ugly"]) / total if total else None

    @property
    def praise_wall(self) -> bool:
        """Fewer than half the bad and ugly on screen than customers gave, relatively."""
        said, shown = self._negative(self.received), self._negative(self.shown)
        if said is None or said == 0 or shown is None:
            return False
        return shown < PRAISE_WALL * said

    def to_dict(self) -> dict[str, Any]:
        def shares(counts: dict[str, int]) -> dict[str, float]:
            total = sum(counts.values())
            return {b: round(100 * n / total, 1) if total else 0.0 for b, n in counts.items()}

        return {
            "feed": self.feed,
            "window_days": self.window_days,
            "shown": self.shown,
            "shown_percent": shares(self.shown),
            "received": self.received,
            "received_percent": shares(self.received),
            "praise_wall": self.praise_wall,
        }


def received(store: Store, feed: Feed, days: int) -> dict[str, int]:
    """How many comments of each shown bucket the feed's customers gave in the window."""
    since = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    scope, args = feed_scope(feed.filter)
    clauses = ["v.sort_at >= ?", *scope]
    sql = (
        f"SELECT v.bucket, count(*) FROM verbatims v WHERE {' AND '.join(clauses)} "
        "GROUP BY v.bucket"
    )
    counts = dict(store.db.execute(sql, [since, *args]).fetchall())
    return {bucket: int(counts.get(bucket, 0)) for bucket in SHOWN_BUCKETS}


def meter(store: Store, feed: Feed, shown: Sequence[Item], days: int | None = None) -> Meter:
    """The meter of a feed whose screens show `shown` (its playlist, or a proposed one), over
    its window or the last `days` (a digest's period)."""
    days = days or feed.filter.max_age_days or WINDOW_DAYS
    counts: dict[str, int] = dict.fromkeys(SHOWN_BUCKETS, 0)
    for item in shown:
        if item["bucket"] in counts:
            counts[item["bucket"]] += 1
    return Meter(feed.name, days, counts, received(store, feed, days))
