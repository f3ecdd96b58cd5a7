"""The honesty meter: what a feed shows beside what its customers said, and praise walls."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import add
from ticker import honesty
from ticker.feeds import Feed, FeedFilter, MixPolicy
from ticker.playlist import current_items
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.store import Store

SAID = [
    *(Verbatim("s", f"Brilliant service, thank you {i}", f"g{i}", 5, "csat5") for i in range(6)),
    *(Verbatim("s", f"Late again and nobody called {i}", f"b{i}", 2, "csat5") for i in range(3)),
    Verbatim("s", "Worst company ever, useless and rude", "u1", 1, "csat5"),
    Verbatim("other", "Late, late, late", "o1", 2, "csat5"),
]


@pytest.fixture
def stocked(store: Store, tagger: Tagger) -> None:
    add(store, tagger, *SAID)


def meter_of(store: Store, feed: Feed) -> honesty.Meter:
    return honesty.meter(store, feed, current_items(store, feed, 1000))


def test_shown_beside_received_for_the_feeds_sources(store: Store, stocked: None) -> None:
    """A balanced feed of one source shows its mix; received counts that source only."""
    feed = Feed("s", "S", FeedFilter(sources=("s",)))
    found = meter_of(store, feed)
    assert found.received == {"good": 6, "bad": 3, "ugly": 1}
    assert sum(found.shown.values()) == 10 and not found.praise_wall
    assert found.to_dict()["received_percent"] == {"good": 60.0, "bad": 30.0, "ugly": 10.0}


def test_a_feed_that_filters_out_the_bad_is_a_praise_wall(store: Store, stocked: None) -> None:
    """Its own filter does not make it honest: received ignores the feed's buckets."""
    feed = Feed("praise", "Praise", FeedFilter(sources=("s",), buckets=("good",)))
    found = meter_of(store, feed)
    assert found.shown == {"good": 6, "bad": 0, "ugly": 0}
    assert found.received == {"good": 6, "bad": 3, "ugly": 1} and found.praise_wall


def test_a_mix_that_starves_the_bad_is_a_praise_wall(store: Store, stocked: None) -> None:
    """Shares of 95 % good against customers' 60 %: flagged; the default mix is not."""
    feed = Feed(
        "s",
        "S",
        FeedFilter(sources=("s",)),
        MixPolicy(shares={"good": 0.95, "bad": 0.05, "ugly": 0.0}, size=6),
    )
    assert meter_of(store, feed).praise_wall
    assert not meter_of(store, replace(feed, mix=MixPolicy(size=6))).praise_wall


def test_nothing_received_is_no_praise_wall(store: Store) -> None:
    """An empty feed has no mix to betray."""
    found = meter_of(store, Feed("empty", "Empty"))
    assert found.received == {"good": 0, "bad": 0, "ugly": 0} and not found.praise_wall
