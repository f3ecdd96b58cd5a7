"""What an outlet posts, before any platform: a period's counts and mix, examples only as the
feed's screens show them, and new ugly comments found from a cursor, each once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import add
from ticker import curation
from ticker.digest import described, digest, new_ugly
from ticker.feeds import Feed, FeedFilter
from ticker.outlets import cursor
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.store import NotFound, Store

LONG_AGO = (datetime.now(UTC) - timedelta(days=3)).isoformat(timespec="seconds")
SAID = [
    Verbatim(
        "s", "Brilliant service, thank you so much", "g1", 5, "csat5", meta={"store": "Leeds"}
    ),
    Verbatim("s", "Lovely staff, Mira sorted it in minutes", "g2", 5, "csat5"),
    Verbatim("s", "Great <script>alert(1)</script> app, works well", "g3", 5, "csat5"),
    Verbatim("s", "Late again and nobody called me back", "b1", 2, "csat5"),
    Verbatim("s", "Hidden remark, slow and late delivery", "b2", 2, "csat5"),
    Verbatim("s", "Worst company ever, useless and rude", "u1", 1, "csat5"),
    Verbatim("s", "Wonderful help three days ago, thanks", "g4", 5, "csat5", LONG_AGO),
]


@pytest.fixture
def ids(store: Store, tagger: Tagger) -> dict[str, str]:
    found = dict(zip((v.response_id or "" for v in SAID), add(store, tagger, *SAID), strict=True))
    curation.hide(store, found["b2"], "ann@example.com", "rude to staff")
    text = SAID[1].text
    curation.mask(store, found["g2"], "ann@example.com", text.index("Mira"), text.index(" sorted"))
    return found


def test_a_daily_digest_counts_the_day_and_shows_only_what_screens_show(
    store: Store, ids: dict[str, str]
) -> None:
    """Counts are what customers said that day (hidden too); examples are the playlist's."""
    made = digest(store, "all", 1, 1000, 3, datetime.now(UTC))
    assert made.meter.received == {"good": 3, "bad": 2, "ugly": 1}
    assert made.meter.shown == {"good": 4, "bad": 1, "ugly": 1}  # the playlist, any age
    texts = [i["text"] for items in made.examples.values() for i in items]
    assert "Hidden remark, slow and late delivery" not in texts
    assert "Lovely staff, [masked] sorted it in minutes" in texts
    assert not any("Mira" in t for t in texts)
    assert (
        "Great <script>alert(1)</script> app, works well" in texts
    )  # as text: each platform escapes
    assert not any("three days ago" in t for t in texts)
    assert [i["text"] for i in made.examples["ugly"]] == ["Worst company ever, useless and rude"]
    assert made.summary() == "All comments, the last day: 6 comments (3 good, 2 bad, 1 ugly)"


def test_a_weekly_digest_reaches_back_a_week_and_examples_are_capped(
    store: Store, ids: dict[str, str]
) -> None:
    """Seven days take the older comment in; `examples` caps each bucket, newest first."""
    made = digest(store, "all", 7, 1000, 2, datetime.now(UTC))
    assert made.meter.received["good"] == 4 and made.period == "7 days"
    assert len(made.examples["good"]) == 2 and len(made.examples["bad"]) == 1
    with pytest.raises(NotFound):
        digest(store, "gone", 1, 1000, 3, datetime.now(UTC))


def test_an_item_is_described_by_score_source_and_the_feeds_labels(
    store: Store, ids: dict[str, str]
) -> None:
    """The line under a comment: score, source, the labels the feed shows."""
    made = digest(store, "all", 1, 1000, 3, datetime.now(UTC))
    leeds = next(i for i in made.examples["good"] if i["meta"])
    assert described(leeds) == "CSAT 5 · s · store Leeds"


def test_new_ugly_comments_are_found_once_from_the_cursor(
    store: Store, tagger: Tagger, ids: dict[str, str]
) -> None:
    """Arrived approved, or approved later: each found once; hidden or another feed's: never."""
    feed = store.feed("all")
    start = cursor(store, "o")
    assert new_ugly(store, feed, start, 1000) == ([], start)
    arrived, held, other = add(
        store,
        tagger,
        Verbatim("s", "Appalling, rude and useless staff", "u2", 1, "csat5"),
        Verbatim("s", "Terrible, the worst, never again", "u3", 1, "csat5"),
        Verbatim("t", "Awful and rude, a disgrace", "u4", 1, "csat5"),
    )
    curation.hide(store, held, "ann@example.com", "spam")
    only_s = Feed("s-only", "S", FeedFilter(sources=("s",)))
    found, end = new_ugly(store, only_s, start, 1000)
    assert [i["id"] for _, i in found] == [arrived]
    assert new_ugly(store, only_s, end, 1000)[0] == []
    curation.approve(store, held, "ann@example.com")
    curation.approve(store, arrived, "ann@example.com")  # approving the approved again
    later, _ = new_ugly(store, only_s, end, 1000)
    assert [i["id"] for _, i in later] == [held]
    assert other not in {i["id"] for _, i in new_ugly(store, only_s, start, 1000)[0]}
