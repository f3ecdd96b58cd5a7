"""Curation: masks, re-tags, notes, undo of the latest event, bulk actions with one undo."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from tests.conftest import add
from ticker import curation
from ticker.curation import CurationError
from ticker.judge import Judge
from ticker.records import Verbatim
from ticker.redact import Redactor
from ticker.rows import row_for
from ticker.sentiment import Tagger
from ticker.store import NotFound, Store, now


@pytest.fixture
def comment(store: Store, tagger: Tagger) -> str:
    [vid] = add(store, tagger, Verbatim("s", "Mira at the Leeds store was rude to me", "r1"))
    return vid


def test_a_mask_shows_on_screens_and_keeps_the_words(store: Store, comment: str) -> None:
    """Screens get [label] for the span; the stored text is the customer's, untouched."""
    curation.mask(store, comment, "dana", 0, 4)
    curation.mask(store, comment, "dana", 12, 17, label="store")
    got = store.get(comment)
    assert got.shown_text == "[masked] at the [store] store was rude to me"
    assert got.text == "Mira at the Leeds store was rude to me"
    curation.unmask(store, comment, "dana", 0)
    assert store.get(comment).shown_text == "Mira at the [store] store was rude to me"


@pytest.mark.parametrize(
    ("start", "end", "said"),
    [
        (30, 99, "outside the comment"),
        (-1, 3, "outside"),
        (4, 5, "only spaces"),
        (2, 7, "overlaps"),
    ],
)
def test_a_bad_span_is_refused_and_changes_nothing(
    store: Store, comment: str, start: int, end: int, said: str
) -> None:
    """A span outside the text, of spaces only, or over another mask: a clear error."""
    curation.mask(store, comment, "dana", 0, 4)
    before = len(store.curation_log(comment))
    with pytest.raises(CurationError, match=said):
        curation.mask(store, comment, "dana", start, end)
    assert len(store.curation_log(comment)) == before


def test_retag_is_a_label_with_who_and_what_the_tagger_said(store: Store, comment: str) -> None:
    """A curator's bucket is stored, marked as theirs, and kept as a label to learn from."""
    tagged = store.get(comment).bucket
    curation.retag(store, comment, "dana", "ugly", "rude is ugly here")
    row = store.row(comment)
    assert (row["bucket"], row["bucket_by"]) == ("ugly", "dana")
    [label] = store.db.query("SELECT bucket, tagged, actor FROM labels")
    assert label == {"bucket": "ugly", "tagged": tagged, "actor": "dana"}
    with pytest.raises(CurationError, match="not one of"):
        curation.retag(store, comment, "dana", "awful")


def test_undo_takes_back_only_the_latest_event(store: Store, comment: str) -> None:
    """An older event cannot be undone over a newer one; the latest can, and is logged."""
    curation.hide(store, comment, "dana", "about one employee")
    curation.pin(store, comment, "sam")
    first, second = (e["id"] for e in store.curation_log(comment))
    with pytest.raises(CurationError, match="no longer the latest"):
        curation.undo(store, first, "dana")
    curation.undo(store, second, "sam")
    assert not store.get(comment).pinned and store.get(comment).state == "hidden"
    undone = store.curation_log(comment)[-1]
    assert undone["action"] == "undo" and f'"undoes": {second}' in undone["detail"]


def test_undo_of_a_note_and_a_retag_removes_them(store: Store, comment: str) -> None:
    """A note undone is gone from the console; a re-tag undone restores the tagger's bucket."""
    tagged = store.get(comment).bucket
    curation.note(store, comment, "dana", "call the store manager")
    assert [n["text"] for n in curation.notes(store, comment)] == ["call the store manager"]
    curation.undo(store, store.curation_log(comment)[-1]["id"], "dana")
    assert curation.notes(store, comment) == []
    curation.retag(store, comment, "dana", "ugly")
    curation.undo(store, store.curation_log(comment)[-1]["id"], "dana")
    assert store.row(comment)["bucket"] == tagged and store.row(comment)["bucket_by"] is None


def test_an_edit_from_the_source_cannot_be_undone(store: Store, tagger: Tagger) -> None:
    """The customer's own edit is theirs; undo refuses it by name."""
    add(store, tagger, Verbatim("s", "Fine", "e1", 3, "csat5"))
    add(store, tagger, Verbatim("s", "Terrible after all", "e1", 1, "csat5"))
    [edit] = store.curation_log()
    with pytest.raises(CurationError, match="edit from the source"):
        curation.undo(store, edit["id"], "dana")


def test_bulk_acts_on_many_in_one_batch_and_one_undo(store: Store, tagger: Tagger) -> None:
    """Hide many, then one undo brings every one of them back to where it was."""
    ids = add(store, tagger, *(Verbatim("s", f"Comment number {i}", f"b{i}") for i in range(30)))
    curation.pin(store, ids[0], "sam")
    batch, done = curation.bulk(store, [*ids, ids[0]], "hide", "dana", reason="spam or a test")
    assert done == 30 and all(store.get(i).state == "hidden" for i in ids)
    assert '"reason": "spam or a test"' in store.curation_log(ids[3])[-1]["detail"]
    curation.undo_batch(store, batch, "dana")
    assert all(store.get(i).state == "approved" for i in ids) and store.get(ids[0]).pinned


def test_bulk_limits_say_so(store: Store, comment: str) -> None:
    """More than 10,000, none, or an action bulk cannot do: refused before anything changes."""
    with pytest.raises(CurationError, match="at most 10,000"):
        curation.bulk(store, [f"id{i}" for i in range(10_001)], "hide", "dana")
    with pytest.raises(CurationError, match="at least one"):
        curation.bulk(store, [], "hide", "dana")
    with pytest.raises(CurationError, match="cannot be done in bulk"):
        curation.bulk(store, [comment], "mask", "dana")
    assert store.curation_log() == []


def test_ten_thousand_in_one_bulk_action(store: Store, tagger: Tagger) -> None:
    """The largest bulk action allowed goes through whole, and comes back whole."""
    judged = Judge(tagger, Redactor())(Verbatim("s", "Great service", "t"))
    stamp = now()
    rows = [
        row_for(replace(judged, verbatim=Verbatim("s", "Great service", f"t{i}")), stamp)
        for i in range(10_000)
    ]  # tagged once: the bulk action is what is tested
    store.ensure_source("s", "test")
    store.store_rows(rows, "s")
    ids = [row[0] for row in rows]
    batch, _ = curation.bulk(store, ids, "hide", "dana")
    assert store.count(state="hidden") == 10_000
    curation.undo_batch(store, batch, "dana")
    assert store.count(state="hidden") == 0


def test_two_curators_at_once_the_last_wins_and_both_are_logged(store: Store, comment: str) -> None:
    """Concurrent actions from two connections serialise; the log holds both, in order."""
    go = threading.Barrier(2)
    failed: list[BaseException] = []

    def act(action: str, who: str) -> None:
        own = Store(store.path)
        try:
            go.wait()
            curation.ACTIONS[action](own, comment, who)
        except BaseException as exc:
            failed.append(exc)
        finally:
            own.close()

    threads = [
        threading.Thread(target=act, args=("hide", "dana")),
        threading.Thread(target=act, args=("approve", "sam")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failed == []
    log = store.curation_log(comment)
    assert sorted(e["actor"] for e in log) == ["dana", "sam"]
    last = log[-1]["action"]
    assert store.get(comment).state == ("hidden" if last == "hide" else "approved")


def test_a_bulk_action_with_an_unknown_id_changes_nothing(store: Store, comment: str) -> None:
    """One id that is not there: NotFound naming it, and the others stay as they were."""
    with pytest.raises(NotFound, match="no verbatim with id 'gone'"):
        curation.bulk(store, [comment, "gone"], "hide", "dana")
    assert store.get(comment).state != "hidden" and store.curation_log(comment) == []


def test_a_bulk_undo_waits_for_a_later_change_to_be_undone(store: Store, tagger: Tagger) -> None:
    """Someone pinned one of the batch since: the batch undo says so and changes nothing."""
    ids = add(store, tagger, *(Verbatim("s", f"Comment {i}", f"w{i}") for i in range(3)))
    batch, _ = curation.bulk(store, ids, "hide", "dana")
    curation.pin(store, ids[1], "sam")
    with pytest.raises(CurationError, match="changed after this bulk action"):
        curation.undo_batch(store, batch, "dana")
    assert all(store.get(i).state == "hidden" for i in ids)
