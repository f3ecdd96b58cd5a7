"""Spotlight: one comment large on a feed's screens for a while, logged, undone, replaced."""

from __future__ import annotations

import pytest

from tests.conftest import add
from ticker import curation, spotlight
from ticker.feeds import Feed
from ticker.playlist import Playlists
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.spotlight import SpotlightError
from ticker.store import NotFound, Store


@pytest.fixture
def ids(store: Store, tagger: Tagger) -> list[str]:
    return add(
        store,
        tagger,
        Verbatim("s", "Nobody told me the parcel was coming", "1", 2, "csat5"),
        Verbatim("s", "Brilliant fitter, tidy and quick", "2", 5, "csat5"),
        Verbatim("s", "Shit service, rude staff", "3", 1, "csat5"),  # waits: profanity
    )


def feed(store: Store) -> Feed:
    return store.feed("all")


def test_a_spotlight_is_current_until_its_time_is_up(store: Store, ids: list[str]) -> None:
    """Started, it is the feed's spot with its length; past `until`, it is gone."""
    spotlight.start(store, ids[0], "dana", "all", 60)
    spot = spotlight.current(store, feed(store), 1000)
    assert spot is not None and spot["item"]["id"] == ids[0] and spot["seconds"] == 60
    store.db.execute("UPDATE spotlights SET until = '2000-01-01T00:00:00+00:00'")
    assert spotlight.current(store, feed(store), 1000) is None


def test_a_new_spotlight_replaces_the_last_and_both_are_logged(
    store: Store, ids: list[str]
) -> None:
    """One per feed; each start is an event with the feed and how long."""
    spotlight.start(store, ids[0], "dana", "all", 60)
    spotlight.start(store, ids[1], "sam", "all", 30)
    spot = spotlight.current(store, feed(store), 1000)
    assert spot is not None and spot["item"]["id"] == ids[1]
    events = [e for e in store.curation_log() if e["action"] == "spotlight"]
    assert [e["actor"] for e in events] == ["dana", "sam"] and '"feed": "all"' in events[0][
        "detail"
    ]


@pytest.mark.parametrize(
    ("index", "feed_name", "seconds", "said"),
    [
        (2, "all", 60, "pending; approve it"),
        (0, "all", 1, "5 to 3600 seconds"),
        (0, "all", 36_000, "5 to 3600 seconds"),
    ],
)
def test_what_cannot_be_spotlit_says_why(
    store: Store, ids: list[str], index: int, feed_name: str, seconds: int, said: str
) -> None:
    """A comment that waits, or a length out of bounds: refused, nothing stored."""
    with pytest.raises(SpotlightError, match=said):
        spotlight.start(store, ids[index], "dana", feed_name, seconds)
    assert spotlight.current(store, feed(store), 1000) is None


def test_an_unknown_feed_is_named(store: Store, ids: list[str]) -> None:
    """A typo in the feed's name is a NotFound naming it."""
    with pytest.raises(NotFound, match="suport"):
        spotlight.start(store, ids[0], "dana", "suport", 60)


def test_end_undo_and_hide_all_take_it_off(store: Store, ids: list[str]) -> None:
    """Ended early, undone, or its comment hidden: the screens go back to the playlist."""
    spotlight.start(store, ids[0], "dana", "all", 60)
    spotlight.end(store, "all", "dana")
    assert spotlight.current(store, feed(store), 1000) is None
    with pytest.raises(SpotlightError, match="nothing is in the spotlight"):
        spotlight.end(store, "all", "dana")
    spotlight.start(store, ids[0], "dana", "all", 60)
    curation.undo(store, store.curation_log()[-1]["id"], "dana")
    assert spotlight.current(store, feed(store), 1000) is None
    spotlight.start(store, ids[0], "dana", "all", 60)
    curation.hide(store, ids[0], "sam", "personal data")
    assert spotlight.current(store, feed(store), 1000) is None


def test_screens_get_a_spotlight_event_and_snapshots_carry_it(store: Store, ids: list[str]) -> None:
    """The playlist's refresh sends `spotlight` on a change; a new screen's snapshot has it."""
    playlists = Playlists(1000)
    assert playlists.snapshot(store, "all").spot is None
    spotlight.start(store, ids[1], "dana", "all", 60)
    [(name, events)] = playlists.refresh(store)
    assert name == "all" and [e["type"] for e in events] == ["spotlight"]
    shown = playlists.cached("all")
    assert shown is not None and shown.spot is not None
    assert shown.spot["item"]["id"] == ids[1]
    spotlight.end(store, "all", "dana")
    [(_, events)] = playlists.refresh(store)
    assert events == [{"type": "spotlight", "spotlight": None, "offset": 2}]  # the 2nd change
