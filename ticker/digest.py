"""What a Slack or Teams outlet posts, whatever the platform: a feed's digest of a period, and
each new ugly comment.

Both take only what the feed's screens may show: a digest's examples come from the feed's
playlist (approved, not hidden, masked, the feed's labels only), and an instant post is a
comment the feed admits, turned into an item by the same `Stored.to_item` the playlist uses.
The counts beside them are the honesty meter's over the period: what customers said, whatever
its state, and the mix the feed shows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from ticker.feeds import Feed
from ticker.honesty import Meter, meter
from ticker.playlist import current_items
from ticker.protocol import Item
from ticker.records import SHOWN_BUCKETS
from ticker.rows import stored
from ticker.store import NotFound, Store

SCAN = 5000  # new comments and curation events looked at per poll, at most
EXAMPLE_CHARS = 600  # of a comment in a message (a chat is not a screen)
SCALES = {"nps": "NPS", "csat5": "CSAT", "stars5": "stars"}
Cursor = tuple[int, int]  # (last comment rowid, last curation event id) looked at


@dataclass(frozen=True)
class Digest:
    """A feed's period: how many of each bucket customers gave, the mix its screens show, and
    a few of the period's comments of each bucket, newest first."""

    feed: str
    title: str
    days: int
    since: datetime
    until: datetime
    meter: Meter
    examples: dict[str, list[Item]]

    @property
    def period(self) -> str:
        return "day" if self.days == 1 else f"{self.days} days"

    @property
    def said(self) -> int:
        return sum(self.meter.received.values())

    def counts(self) -> list[tuple[str, int, float, float]]:
        """(bucket, comments customers gave, their share, the share on screen) per bucket."""
        m = self.meter.to_dict()
        return [
            (b, m["received"][b], m["received_percent"][b], m["shown_percent"][b])
            for b in SHOWN_BUCKETS
        ]

    def summary(self) -> str:
        """One line of plain text: a notification's preview, a message's fallback."""
        mix = ", ".join(f"{n:,} {b}" for b, n, _, _ in self.counts())
        return f"{self.title}, the last {self.period}: {self.said:,} comments ({mix})"

    def window(self, zone: tzinfo) -> str:
        """The period in the outlet's time zone, to the minute."""
        since, until = (
            t.astimezone(zone).strftime("%a %d %b %H:%M") for t in (self.since, self.until)
        )
        return f"{since} to {until} ({zone})"


def described(item: Item) -> str:
    """The line under a comment: its score, source and the labels the feed shows."""
    score, scale = item.get("score"), SCALES.get(str(item.get("scale")), "")
    parts = [f"{scale} {score:g}"] if isinstance(score, int | float) and scale else []
    parts.append(str(item["source"]))
    parts += [f"{k} {v}" for k, v in sorted(item["meta"].items())]
    return " · ".join(parts)


def digest(
    store: Store, feed_name: str, days: int, max_chars: int, examples: int, at: datetime
) -> Digest:
    """The digest of the `days` before `at`; NotFound when the feed is gone."""
    feed = store.feed(feed_name)
    items = current_items(store, feed, max_chars)
    since = at - timedelta(days=days)
    when = sort_times(store, [i["id"] for i in items])
    recent = [i for i in items if _parsed(when.get(i["id"])) >= since]
    recent.sort(key=lambda i: when[i["id"]], reverse=True)
    picked: dict[str, list[Item]] = {
        b: [i for i in recent if i["bucket"] == b][:examples] for b in SHOWN_BUCKETS
    }
    return Digest(feed.name, feed.title, days, since, at, meter(store, feed, items, days), picked)


def sort_times(store: Store, ids: Sequence[str]) -> dict[str, str]:
    """When each comment was given (else came in): the order feeds show them in."""
    return dict(
        store.db.execute(
            "SELECT id, sort_at FROM verbatims WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(list(ids))],
        ).fetchall()
    )


def _parsed(stamp: str | None) -> datetime:
    try:
        found = datetime.fromisoformat(str(stamp or "").replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def new_ugly(
    store: Store, feed: Feed, after: Cursor, max_chars: int
) -> tuple[list[tuple[Cursor, Item]], Cursor]:
    """The ugly comments the feed may show that came in approved, or were approved, since
    `after`: each with the cursor just past it, and the cursor past everything looked at.

    Two ranges of primary keys (new comments by rowid, new approvals in the curation log),
    each capped at SCAN: a poll costs what the new rows cost, not the store's size.
    """
    rowid, event = after
    top_row, top_event = (
        min(int(n), start + SCAN)
        for n, start in zip(
            store.db.execute(
                "SELECT (SELECT coalesce(max(rowid), 0) FROM verbatims), "
                "(SELECT coalesce(max(id), 0) FROM curation_log)"
            ).fetchone(),
            after,
            strict=True,
        )
    )
    arrived = store.db.execute(
        "SELECT rowid, id FROM verbatims WHERE rowid > ? AND rowid <= ? AND bucket = 'ugly' "
        "AND state = 'approved' ORDER BY rowid",
        [rowid, top_row],
    ).fetchall()
    approved = store.db.execute(
        "SELECT id, verbatim_id FROM curation_log WHERE id > ? AND id <= ? "
        "AND action = 'approve' AND json_extract(detail, '$.before.state') IS NOT 'approved' "
        "ORDER BY id",
        [event, top_event],
    ).fetchall()
    steps = [((r, event), vid) for r, vid in arrived]
    steps += [((top_row, e), vid) for e, vid in approved]
    found, seen = [], set()
    for step, vid in steps:
        item = _shown_ugly(store, feed, vid, max_chars)
        if item is not None and vid not in seen:
            seen.add(vid)
            found.append((step, item))
    return found, (top_row, top_event)


def _shown_ugly(store: Store, feed: Feed, vid: str, max_chars: int) -> Item | None:
    """The comment as the feed's screens would show it, if it is ugly and they may."""
    try:
        row = store.row(vid)
    except NotFound:
        return None
    if row["state"] != "approved" or row["bucket"] != "ugly" or "ugly" not in feed.filter.buckets:
        return None
    if not feed.filter.admits(row):
        return None
    age = feed.filter.max_age_days
    if age is not None and _parsed(row["sort_at"]) < datetime.now(UTC) - timedelta(days=age):
        return None
    return stored(row).to_item(max_chars, feed.display.meta)
