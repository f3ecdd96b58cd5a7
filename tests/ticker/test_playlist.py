"""Playlist diffs: the events turn the old playlist into the new one, and stay small."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ticker.playlist import apply, diff


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
