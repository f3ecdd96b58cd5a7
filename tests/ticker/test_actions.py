""" "You said, we did": notes linked to comments, shown right after them on screens."""

from __future__ import annotations

import pytest

from tests.conftest import add
from ticker import actions
from ticker.actions import ActionError
from ticker.playlist import current_items
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.store import NotFound, Store

NOTE = {
    "you_said": "Parcels came without warning.",
    "we_did": "An SMS an hour before delivery, since March.",
    "owner": "Logistics",
    "status": "done",
    "due": "2026-03-01",
}


@pytest.fixture
def ids(store: Store, tagger: Tagger) -> list[str]:
    return add(
        store,
        tagger,
        Verbatim("s", "The parcel just turned up, nobody told me", "1", 2, "csat5"),
        Verbatim("s", "Lovely driver, very polite", "2", 5, "csat5"),
    )


def test_a_note_follows_the_comment_it_answers(store: Store, ids: list[str]) -> None:
    """On screens the card comes right after its comment, as its own kind of item."""
    note = actions.save(store, "dana", NOTE, [ids[0]])
    items = current_items(store, store.feed("all"), 1000)
    at = [i["id"] for i in items].index(ids[0])
    card = items[at + 1]
    assert card["id"] == f"action-{note.id}" and card["bucket"] == "action"
    assert card["text"] == (
        "You said: Parcels came without warning. We did: An SMS an hour before delivery, "
        "since March."
    )
    assert card["meta"] == {"status": "done", "owner": "Logistics"}
    assert [e["action"] for e in store.curation_log(ids[0])][-1] == "action note"


def test_notes_are_listed_by_status_and_changed(store: Store, ids: list[str]) -> None:
    """A planned note becomes in progress; each status lists its own."""
    note = actions.save(store, "dana", {**NOTE, "status": "planned"}, ids)
    assert [n.id for n in actions.listed(store, "planned")] == [note.id]
    actions.save(store, "sam", {**NOTE, "status": "in progress"}, [ids[1]], note.id)
    changed = actions.get(store, note.id)
    assert changed.status == "in progress" and changed.comments == (ids[1],)
    assert actions.listed(store, "planned") == []


def test_a_removed_note_leaves_the_screens(store: Store, ids: list[str]) -> None:
    """Removed: gone from the playlist, and the log says who removed it."""
    note = actions.save(store, "dana", NOTE, [ids[0]])
    actions.remove(store, note.id, "sam")
    items = current_items(store, store.feed("all"), 1000)
    assert all(i["bucket"] != "action" for i in items)
    with pytest.raises(NotFound):
        actions.get(store, note.id)


@pytest.mark.parametrize(
    ("fields", "comments", "said"),
    [
        ({**NOTE, "we_did": " "}, None, "we_did is 1 to 500"),
        ({**NOTE, "status": "someday"}, None, "status is one of"),
        ({**NOTE, "due": "March"}, None, "due is a date"),
        (NOTE, [], "link the note to 1 to 200"),
    ],
)
def test_a_note_that_cannot_be_saved_says_why(
    store: Store, ids: list[str], fields: dict[str, str], comments: list[str] | None, said: str
) -> None:
    """Empty words, an unknown status, a bad date, no comment: refused by name."""
    with pytest.raises(ActionError, match=said):
        actions.save(store, "dana", fields, ids[:1] if comments is None else comments)
    assert actions.listed(store) == []


def test_a_note_for_a_comment_that_is_not_there(store: Store, ids: list[str]) -> None:
    """NotFound names it, and no note is left half made."""
    with pytest.raises(NotFound, match="nope"):
        actions.save(store, "dana", NOTE, [ids[0], "nope"])
    assert actions.listed(store) == []
