"""The store: WAL, migrations, idempotent ingest, curation log, candidates by filter."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import add
from ticker import curation
from ticker.feeds import Feed, FeedFilter
from ticker.records import ALL_BUCKETS, Verbatim
from ticker.sentiment import Tagger
from ticker.store import NotFound, Store


def test_database_is_in_wal_mode_with_migrations_recorded(store: Store) -> None:
    """A fresh store is WAL and knows which migrations it has applied."""
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = [r["name"] for r in store.db.query("SELECT name FROM _sqlite_migrations")]
    assert names == [
        "m001_initial",
        "m002_quarantine_key",
        "m003_masked_text",
        "m004_deliveries",
        "m005_source_cursor",
        "m006_source_pulls",
        "m007_sort_key",
        "m008_quarantine_key_without_path",
        "m009_language",
        "m010_meta_index",
        "m011_console",
        "m012_outlets",
        "m013_screens",
        "m014_rules",
    ]


def test_reopening_applies_nothing_twice(store: Store) -> None:
    """Opening an existing database keeps its rows and its migration record."""
    store.close()
    again = Store(store.path)
    assert again.db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == 14
    assert [f.name for f in again.feeds()] == ["all"]
    again.close()


def test_same_response_id_twice_adds_nothing(store: Store, tagger: Tagger) -> None:
    """Ingest is idempotent on (source, response id), even if the text was edited since."""
    add(store, tagger, Verbatim("s", "Great!", response_id="r1"))
    add(store, tagger, Verbatim("s", "Great, edited", response_id="r1"))
    assert store.count() == 1


def test_same_id_in_another_source_is_another_verbatim(store: Store, tagger: Tagger) -> None:
    """Response ids are only unique within their source."""
    add(
        store,
        tagger,
        Verbatim("a", "Great!", response_id="r1"),
        Verbatim("b", "Great!", response_id="r1"),
    )
    assert store.count() == 2


def test_content_hash_dedupes_rows_without_ids(store: Store, tagger: Tagger) -> None:
    """Without an id, the same text, time and score is the same verbatim."""
    row = Verbatim("s", "Nice", given_at="2026-01-01T00:00:00")
    add(store, tagger, row, row)
    add(store, tagger, row)
    assert store.count() == 1


def test_curation_is_logged_with_who_and_what(store: Store, tagger: Tagger) -> None:
    """Every curation action lands in the log with actor, action and before/after."""
    [vid] = add(store, tagger, Verbatim("s", "Lovely staff", response_id="1"))
    curation.hide(store, vid, "dana", "duplicate of a pinned one")
    curation.pin(store, vid, "sam")
    log = store.curation_log(vid)
    assert [(r["actor"], r["action"]) for r in log] == [("dana", "hide"), ("sam", "pin")]
    assert '"reason": "duplicate of a pinned one"' in log[0]["detail"]
    assert store.get(vid).state == "hidden" and store.get(vid).pinned


def test_curating_an_unknown_id_says_so(store: Store) -> None:
    """A typo in an id is a clear error, and nothing is logged."""
    with pytest.raises(NotFound, match="no verbatim"):
        curation.hide(store, "nope", "dana")
    assert store.curation_log() == []


def test_candidates_follow_the_feed_filter(store: Store, tagger: Tagger) -> None:
    """Sources, meta and buckets narrow what a feed may show; hidden ones never show."""
    ids = add(
        store,
        tagger,
        Verbatim("a", "Great service, thank you!", response_id="1", meta={"region": "EMEA"}),
        Verbatim("a", "Great product, love it!", response_id="2", meta={"region": "NA"}),
        Verbatim("b", "Wonderful staff, thanks!", response_id="3", meta={"region": "EMEA"}),
    )
    filt = FeedFilter(sources=("a",), meta={"region": "EMEA"})
    assert [c.id for c in store.candidates(filt, 10)] == [ids[0]]
    curation.hide(store, ids[0], "dana")
    assert store.candidates(filt, 10) == []


def test_feeds_round_trip(store: Store) -> None:
    """A saved feed reads back equal."""
    feed = Feed("support", "Support", FeedFilter(sources=("zendesk",)))
    store.save_feed(feed)
    assert store.feed("support") == feed


def test_another_process_commit_changes_the_marker(store: Store, tmp_path: Path) -> None:
    """The live loop notices writes made by other processes (the CLI) through the marker."""
    before = store.change_marker()
    other = sqlite3.connect(store.path)
    other.execute("UPDATE feeds SET title = 'x'")
    other.commit()
    other.close()
    assert store.change_marker() != before


def test_an_older_store_gets_its_sort_key_and_one_quarantine_row_per_bad_row(
    tmp_path: Path,
) -> None:
    """Migrating a store made before m007: every comment gets its sort key (given, else
    ingested) and bad rows that were twins only by their file's path become one."""
    from sqlite_utils import Database

    from ticker.schema import migrations

    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m007_sort_key")
    old.table("sources").insert({"name": "s", "kind": "csv", "created_at": "2024-01-01"})
    for n, given in enumerate(["2024-05-01T10:00:00+00:00", None]):
        old.table("verbatims").insert(
            {
                "id": f"v{n}",
                "source": "s",
                "text": "Fine",
                "bucket": "good",
                "state": "approved",
                "pinned": 0,
                "ingested_at": "2024-06-01T00:00:00+00:00",
                "given_at": given,
            }
        )
    for n, origin in enumerate(["/a/export.csv", "/b/export.csv"]):
        old.table("quarantine").insert(
            {
                "key": f"old-{n}",
                "source": "s",
                "origin": origin,
                "line": 3,
                "reason": "bad",
                "raw": "x,y",
                "at": "2024-06-01",
            }
        )
    old.close()
    store = Store(path)
    sort_keys = dict(store.db.execute("SELECT id, sort_at FROM verbatims").fetchall())
    assert sort_keys == {"v0": "2024-05-01T10:00:00+00:00", "v1": "2024-06-01T00:00:00+00:00"}
    assert len(store.quarantined("s")) == 1
    store.close()


def test_playlist_queries_walk_an_index_and_sort_nothing(store: Store) -> None:
    """The candidates' queries are index searches with no sort of their own: their cost
    follows the playlist's size, not the store's."""
    plans = []
    original = store.db.query

    def explained(sql: str, params: Any = None) -> Any:
        if "FROM verbatim" in sql:
            plans.extend(r[3] for r in store.db.execute("EXPLAIN QUERY PLAN " + sql, params))
        return original(sql, params)

    store.save_feed(Feed("emea", "EMEA", FeedFilter(meta={"region": "EMEA"})))
    store.db.query = explained  # type: ignore[method-assign]
    for filt in (
        FeedFilter(),
        FeedFilter(sources=("a", "b")),
        FeedFilter(max_age_days=30),
        FeedFilter(meta={"region": "EMEA"}),
        FeedFilter(meta={"region": "EMEA", "plan": "Pro"}, sources=("a",), max_age_days=7),
    ):
        store.candidates(filt, per_bucket=60)
    assert plans and all(p.startswith("SEARCH") for p in plans), plans  # never a SCAN
    assert not any("TEMP B-TREE" in p for p in plans), plans


def test_a_read_only_store_says_so_in_one_line(tmp_path: Path) -> None:
    """Writes to a store whose file refuses them raise StoreError naming the file, not
    SQLite's OperationalError (the same check runs when `serve` starts)."""
    from ticker.store import StoreError

    path = tmp_path / "ro.db"
    Store(path).close()
    store = Store(path)
    store.db.close()  # the same file, opened read-only as a mount or a permission would make it
    store.db.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    with pytest.raises(StoreError, match="is read-only"):
        store.check_writable()
    with pytest.raises(StoreError, match="is read-only"):
        store.ensure_source("kiosk", "test")


def test_the_total_counts_comments_without_reading_them(store: Store, tagger: Tagger) -> None:
    """`total` (for /healthz) is the number of stored comments, duplicates and edits aside."""
    assert store.total() == 0
    add(store, tagger, Verbatim("s", "Fine.", "1"), Verbatim("s", "Slow.", "2"))
    add(store, tagger, Verbatim("s", "Fine.", "1"), Verbatim("s", "Slow, but kind.", "2"))
    assert store.total() == store.count() == 2


def test_a_metadata_filter_follows_every_change_to_its_comments(
    store: Store, tagger: Tagger
) -> None:
    """The metadata rows a feed walks stay in step: a hide, an approve, a pin and an edit of a
    comment with region=LATAM are what the feed's candidates show next."""
    latam = Verbatim("s", "Great help.", "1", meta={"region": "LATAM", "plan": "Pro"})
    other = Verbatim("s", "Great help too.", "2", meta={"region": "EMEA"})
    ids = add(store, tagger, latam, other)
    filt = FeedFilter(meta={"region": "LATAM"})
    store.save_feed(Feed("latam", "LATAM", filt))  # indexes region, for what is stored already
    assert store.db.execute("SELECT count(*) FROM verbatim_meta").fetchone()[0] == 2
    assert [c.id for c in store.candidates(filt, 10)] == [ids[0]]
    curation.hide(store, ids[0], "cx")
    assert store.candidates(filt, 10) == []
    curation.approve(store, ids[0], "cx")
    curation.pin(store, ids[0], "cx")
    assert [c.pinned for c in store.candidates(filt, 10)] == [True]
    add(store, tagger, Verbatim("s", "Great help, fast.", "1", meta={"region": "EMEA"}))
    assert store.candidates(filt, 10) == []  # the edit moved it to EMEA
    both = FeedFilter(meta={"region": "EMEA", "plan": "Pro"})
    assert store.candidates(both, 10) == []
    assert {c.id for c in store.candidates(FeedFilter(meta={"region": "EMEA"}), 10)} == set(ids)


def test_metadata_no_feed_filters_on_costs_an_import_nothing(store: Store, tagger: Tagger) -> None:
    """Only keys some feed filters on get metadata rows: an import of comments with other
    metadata writes none, and a feed naming a new key indexes what is already stored."""
    add(store, tagger, Verbatim("s", "Fine.", "1", meta={"region": "NA", "plan": "Pro"}))
    assert store.db.execute("SELECT count(*) FROM verbatim_meta").fetchone()[0] == 0
    store.save_feed(Feed("pro", "Pro plan", FeedFilter(meta={"plan": "Pro"})))
    add(store, tagger, Verbatim("s", "Slow.", "2", meta={"region": "NA", "plan": "Pro"}))
    keys = [r[0] for r in store.db.execute("SELECT key FROM verbatim_meta")]
    assert keys == ["plan", "plan"]
    assert len(store.candidates(FeedFilter(meta={"plan": "Pro"}, buckets=ALL_BUCKETS), 10)) == 2
