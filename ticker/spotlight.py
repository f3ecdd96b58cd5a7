"""Spotlight: one comment shown large on every screen of a feed for a while, then the playlist.

At most one per feed; a new one replaces it. It is stored (so a screen that connects meanwhile
shows it too) and logged like every curation; screens end it on their own clock when its time
is up, and the server stops sending it at the same moment.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ticker.feeds import Feed
from ticker.protocol import Spot
from ticker.records import Stored
from ticker.store import Store, now

MIN_SECONDS, MAX_SECONDS = 5, 3600


class SpotlightError(ValueError):
    """A spotlight that cannot be shown; the message says why."""


def start(
    store: Store,
    verbatim_id: str,
    actor: str,
    feed: str,
    seconds: int,
    reason: str = "",
    batch: str | None = None,
) -> Stored:
    """Show a comment large on every screen of `feed` for `seconds`."""
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise SpotlightError(f"a spotlight lasts {MIN_SECONDS} to {MAX_SECONDS} seconds")
    with store.transaction():
        store.feed(feed)  # NotFound names it
        row = store.row(verbatim_id)
        if row["state"] != "approved":
            raise SpotlightError(
                f"comment {verbatim_id} is {row['state']}; approve it before putting it in the "
                "spotlight"
            )
        until = (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(timespec="seconds")
        store.db.execute(
            "INSERT OR REPLACE INTO spotlights (feed, verbatim_id, until, actor, at) "
            "VALUES (?, ?, ?, ?, ?)",
            [feed, verbatim_id, until, actor, now()],
        )
        extra = {"feed": feed, "until": until, "seconds": seconds}
        return store.curate(verbatim_id, "spotlight", actor, reason, batch=batch, extra=extra)


def end(store: Store, feed: str, actor: str) -> None:
    """Back to the playlist now, before the spotlight's time is up."""
    with store.transaction():
        row = store.db.execute(
            "SELECT verbatim_id FROM spotlights WHERE feed = ? AND until > ?", [feed, now()]
        ).fetchone()
        if row is None:
            raise SpotlightError(f"nothing is in the spotlight on feed {feed!r}")
        store.db.execute("DELETE FROM spotlights WHERE feed = ?", [feed])
        store.curate(row[0], "unspotlight", actor, extra={"feed": feed})


def current(store: Store, feed: Feed, max_chars: int) -> Spot | None:
    """What the feed's screens show large now, if anything (never a comment hidden since)."""
    found = store.db.execute(
        "SELECT verbatim_id, until, at FROM spotlights WHERE feed = ? AND until > ?",
        [feed.name, now()],
    ).fetchone()
    if found is None:
        return None
    stored = store.get(found[0])
    if stored.state != "approved":
        return None
    began = datetime.fromisoformat(found[2])
    seconds = (datetime.fromisoformat(found[1]) - began).total_seconds()
    return {
        "item": stored.to_item(max_chars, feed.display.meta),
        "until": found[1],
        "seconds": seconds,
    }
