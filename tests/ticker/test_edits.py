"""A response edited on the platform updates the stored comment instead of being a duplicate."""

from __future__ import annotations

from ticker import curation
from ticker.judge import Judge
from ticker.pipeline import Pipeline, numbered
from ticker.records import Verbatim
from ticker.redact import Redactor
from ticker.sentiment import Tagger
from ticker.store import Store


def ingest(store: Store, tagger: Tagger, *verbatims: Verbatim) -> tuple[int, int, int]:
    report = Pipeline(store, Judge(tagger, Redactor()), workers=1).ingest(
        "kiosk", "test", "test", numbered(verbatims)
    )
    return report.added, report.updated, report.duplicates


def test_the_same_response_with_new_words_is_updated_and_retagged(
    store: Store, tagger: Tagger
) -> None:
    """New text and score replace the old under the same key; the tag follows the new words."""
    first = Verbatim("kiosk", "Lovely staff, quick and kind.", "r-1", 9, "nps")
    assert ingest(store, tagger, first) == (1, 0, 0)
    assert store.get(first.key).bucket == "good"
    edited = Verbatim("kiosk", "Awful. Nobody called me back for a week.", "r-1", 2, "nps")
    assert ingest(store, tagger, edited) == (0, 1, 0)
    again = store.get(first.key)
    assert (again.text, again.score) == (edited.text, 2) and again.bucket in ("bad", "ugly")
    assert store.count() == 1


def test_the_same_response_unchanged_is_a_duplicate(store: Store, tagger: Tagger) -> None:
    """Importing the same words and score again changes nothing and logs nothing."""
    row = Verbatim("kiosk", "Fine.", "r-1", 8, "nps")
    ingest(store, tagger, row)
    assert ingest(store, tagger, row) == (0, 0, 1)
    assert store.curation_log(row.key) == []


def test_an_edit_is_logged_as_made_by_the_source(store: Store, tagger: Tagger) -> None:
    """The curation log says the source changed it, with the words before and after."""
    ingest(store, tagger, Verbatim("kiosk", "Good.", "r-1", 9, "nps"))
    ingest(store, tagger, Verbatim("kiosk", "Good, but slow.", "r-1", 7, "nps"))
    [entry] = store.curation_log(Verbatim("kiosk", "", "r-1").key)
    assert entry["actor"] == "source:kiosk" and entry["action"] == "edit"
    assert '"before": {"text": "Good."' in entry["detail"] and "Good, but slow." in entry["detail"]


def test_a_newly_flagged_edit_waits_again_and_a_hide_stands(store: Store, tagger: Tagger) -> None:
    """An approved comment whose new text swears goes back to pending; a hidden one stays."""
    shown = Verbatim("kiosk", "Great help.", "r-1", 9, "nps")
    hidden = Verbatim("kiosk", "Slow help.", "r-2", 5, "nps")
    ingest(store, tagger, shown, hidden)
    curation.hide(store, hidden.key, "cx")
    ingest(
        store,
        tagger,
        Verbatim("kiosk", "Great help, damn fast, shit hot service.", "r-1", 9, "nps"),
        Verbatim("kiosk", "Slow help, but they fixed it.", "r-2", 7, "nps"),
    )
    assert store.get(shown.key).state == "pending"
    assert store.get(hidden.key).state == "hidden"


def test_a_pin_survives_an_edit(store: Store, tagger: Tagger) -> None:
    """A curator's pin is not the source's to undo."""
    row = Verbatim("kiosk", "Good.", "r-1", 9, "nps")
    ingest(store, tagger, row)
    curation.pin(store, row.key, "cx")
    ingest(store, tagger, Verbatim("kiosk", "Very good.", "r-1", 10, "nps"))
    assert store.get(row.key).pinned


def test_comments_with_metadata_are_counted_once(store: Store, tagger: Tagger) -> None:
    """The metadata rows a trigger adds beside each comment are not counted as comments."""
    rows = [
        Verbatim("kiosk", f"Fine {n}.", f"r-{n}", meta={"region": "EMEA", "plan": "Pro"})
        for n in range(3)
    ]
    assert ingest(store, tagger, *rows) == (3, 0, 0)
