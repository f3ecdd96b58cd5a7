"""Playlist diffs: the events turn the old playlist into the new one, and stay small."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.ticker.test_mixer import pool
from ticker.feeds import Feed, MixPolicy
from ticker.mixer import build_playlist
from ticker.playlist import Playlists, apply, diff, settle
from ticker.store import Store


def item(i: int, version: int = 0) -> dict[str, object]:
    return {"id": f"v{i}", "text": f"comment {i}", "version": version}


playlists = st.lists(st.integers(0, 30), unique=True, max_size=25)


@given(playlists, playlists, st.sets(st.integers(0, 30)))
def test_applying_the_diff_gives_the_new_playlist(
    old: list[int], new: list[int], edited: set[int]
) -> None:
    """Whatever changed (adds, removes, moves, edits), a client that applies the events converges."""
    before = [item(i) for i in old]
    after = [item(i, 1 if i in edited else 0) for i in new]
    assert apply(before, diff(before, after)) == after


def test_a_new_comment_is_one_add() -> None:
    """Inserting one item does not resend the items it shifts."""
    old = [item(i) for i in range(5)]
    new = [old[0], item(9), *old[1:]]
    assert diff(old, new) == [{"type": "add", "item": item(9), "index": 1}]


def test_a_hidden_comment_is_one_remove() -> None:
    """Removing one item does not resend the items it shifts."""
    old = [item(i) for i in range(5)]
    assert diff(old, old[:2] + old[3:]) == [{"type": "remove", "id": "v2"}]


def test_a_pin_moves_with_one_update() -> None:
    """An item moved to the front is one update carrying its new index."""
    old = [item(i) for i in range(5)]
    new = [old[3], *old[:3], old[4]]
    assert diff(old, new) == [{"type": "update", "item": item(3), "index": 0}]


def test_no_change_no_events() -> None:
    """An unchanged playlist sends nothing."""
    old = [item(i) for i in range(5)]
    assert diff(old, list(old)) == []


def mixed_items(n: int) -> list[dict[str, object]]:
    return [
        {"id": f"{b}{i}", "bucket": b, "pinned": False}
        for i in range(n)
        for b in ("good", "bad", "good", "ugly")
    ]


@given(st.integers(2, 15), st.data())
def test_settled_playlist_has_exactly_the_ideal_items(n: int, data: st.DataObject) -> None:
    """Whatever the old order, the settled playlist holds the mixer's items and no two ugly."""
    ideal = mixed_items(n)
    old = data.draw(st.permutations(mixed_items(n + 2)))
    settled = settle(old, ideal, ("ugly",))
    assert sorted(i["id"] for i in settled) == sorted(i["id"] for i in ideal)
    buckets = [i["bucket"] for i in settled]
    assert ("ugly", "ugly") not in set(zip(buckets, buckets[1:] + buckets[:1], strict=True))


@pytest.mark.parametrize("bucket", ["good", "bad", "ugly"])
def test_a_hide_is_one_remove_and_one_add_for_its_replacement(bucket: str) -> None:
    """Hiding one comment sends its removal and its replacement, not every item the mix shifts."""
    candidates = pool(40, 40, 40)
    policy = MixPolicy(size=20)
    shown = [c.to_item(1000) for c in build_playlist(candidates, policy)]
    at = next(i for i, item in enumerate(shown) if item["bucket"] == bucket)
    hidden = shown[at]["id"]
    ideal = [
        c.to_item(1000) for c in build_playlist([c for c in candidates if c.id != hidden], policy)
    ]
    assert len(diff(shown, ideal)) > 2  # what the naive rebuild would send
    events = diff(shown, settle(shown, ideal, policy.spaced))
    assert [e["type"] for e in events] == ["remove", "add"]
    assert events[0]["id"] == hidden and events[1]["item"]["bucket"] == bucket


def test_a_newly_pinned_comment_moves_with_one_update() -> None:
    """A pin moves the comment to the front, and nothing else moves."""
    shown = mixed_items(5)
    pinned = {**shown[7], "pinned": True}
    ideal = [pinned, *[i for i in shown if i["id"] != pinned["id"]]]
    events = diff(shown, settle(shown, ideal, ("ugly",)))
    assert events == [{"type": "update", "item": pinned, "index": 0}]


def test_screens_get_only_the_metadata_labels_a_feed_shows() -> None:
    """Names, emails and other answers in an export's columns stay in the store."""
    stored = replace(
        pool(1, 0, 0)[0],
        meta={"RecipientEmail": "jane@example.com", "Region": "EMEA", "Product": "x" * 500},
    )
    item = stored.to_item(1000, ("region", "product"))
    assert item["meta"] == {"Region": "EMEA", "Product": "x" * 59 + "…"}


def test_a_change_of_access_alone_is_reported_without_events(store: Store) -> None:
    """Screens here need no message, but other processes (stream edges) must hear of it: a
    feed closed to tokens drops its tokenless screens there too."""
    store.save_feed(Feed.from_dict({"name": "lobby", "title": "Lobby"}))
    playlists = Playlists(1000)
    playlists.snapshot(store, "lobby")
    assert playlists.refresh(store) == []
    store.save_feed(Feed.from_dict({"name": "lobby", "title": "Lobby", "access": "token"}))
    assert playlists.refresh(store) == [("lobby", [])]
    shown = playlists.cached("lobby")
    assert shown is not None and shown.feed.access == "token"
    assert playlists.refresh(store) == []
