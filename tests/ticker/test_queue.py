"""The queue: filters, full-text search, keyset pages, and why each comment is where it is."""

from __future__ import annotations

import pytest

from tests.conftest import add
from ticker import curation, queue
from ticker.queue import Query, QueryError, fts_query
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.store import Store


def q(**params: str | list[str]) -> Query:
    return Query.parse({k: v if isinstance(v, list) else [v] for k, v in params.items()})


@pytest.fixture
def stocked(store: Store, tagger: Tagger) -> list[str]:
    return add(
        store,
        tagger,
        Verbatim(
            "support",
            "The engineer was brilliant, thank you",
            "1",
            5,
            "csat5",
            "2026-03-01",
            {"region": "EMEA"},
        ),
        Verbatim(
            "support",
            "Delivery late again, nobody called",
            "2",
            2,
            "csat5",
            "2026-03-05",
            {"region": "LATAM"},
        ),
        Verbatim("reviews", "Shit app, crashes every single time", "3", 1, "stars5", "2026-03-09"),
        Verbatim("reviews", "Café très agréable, livraison rapide", "4", None, None, "2026-03-12"),
    )


def texts(store: Store, query: Query) -> list[str]:
    return [c["text"] for c in queue.search(store, query)["items"]]


def test_newest_first_and_filtered(store: Store, stocked: list[str]) -> None:
    """Newest arrivals first; state, bucket, source, score, dates and metadata narrow it."""
    assert texts(store, q())[0].startswith("Café")
    assert texts(store, q(source="support", max_score="3")) == [
        "Delivery late again, nobody called"
    ]
    assert texts(store, q(meta="region=EMEA")) == ["The engineer was brilliant, thank you"]
    assert texts(store, q(since="2026-03-05", until="2026-03-09")) == [
        "Shit app, crashes every single time",
        "Delivery late again, nobody called",
    ]
    assert texts(store, q(state="pending", reason="profanity")) == [
        "Shit app, crashes every single time"
    ]


def test_search_finds_words_prefixes_and_accents(store: Store, stocked: list[str]) -> None:
    """Every word must occur; the last may be a prefix; accents do not matter."""
    assert texts(store, q(q="late nobody")) == ["Delivery late again, nobody called"]
    assert texts(store, q(q="brill")) == ["The engineer was brilliant, thank you"]
    assert texts(store, q(q="cafe tres")) == ["Café très agréable, livraison rapide"]
    assert texts(store, q(q="late", source="reviews")) == []


@pytest.mark.parametrize("hostile", ['"', "NEAR(a b", "a OR", "*", "-x", "col:x", "^a", "(("])
def test_search_syntax_never_fails(store: Store, stocked: list[str], hostile: str) -> None:
    """Whatever is typed is words, never FTS5 syntax that errors."""
    queue.search(store, q(q=hostile))


def test_fts_query_quotes_words() -> None:
    """Each word quoted, the last a prefix, all of them required."""
    assert fts_query('late "nobody') == '"late" AND "nobody"*'
    assert fts_query("  ") is None


def test_pages_follow_on_without_gaps(store: Store, tagger: Tagger) -> None:
    """Keyset pages: page two starts right after page one, and the last says so."""
    add(store, tagger, *(Verbatim("s", f"Comment {i}", str(i)) for i in range(7)))
    first = queue.search(store, q(limit="3"))
    second = queue.search(store, q(limit="3", before=str(first["next"])))
    third = queue.search(store, q(limit="3", before=str(second["next"])))
    seen = [c["text"] for page in (first, second, third) for c in page["items"]]
    assert seen == [f"Comment {i}" for i in range(6, -1, -1)]
    assert third["next"] is None


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"state": ["gone"]}, "state='gone' is not one of"),
        ({"min_score": ["high"]}, "not a number"),
        ({"since": ["yesterday"]}, "not a date"),
        ({"meta": ["region"]}, "KEY=VALUE"),
        ({"limit": ["5000"]}, "limit is 1 to"),
    ],
)
def test_bad_filters_name_the_parameter(params: dict[str, list[str]], said: str) -> None:
    """Each unusable filter is a message that names it and what it takes."""
    with pytest.raises(QueryError, match=said):
        Query.parse(params)


def test_each_card_says_why(store: Store, stocked: list[str]) -> None:
    """Waiting for a reason, shown because nothing held it, or by whom and why."""
    cards = {c["id"]: c for c in queue.search(store, q())["items"]}
    assert cards[stocked[2]]["why"].startswith("waits for a curator: swearing; ugly by the tagger")
    assert cards[stocked[0]]["why"].startswith("shown: nothing held it back; good by the tagger")
    curation.hide(store, stocked[0], "dana", "about one employee")
    curation.retag(store, stocked[1], "sam", "ugly")
    cards = {c["id"]: c for c in queue.search(store, q())["items"]}
    assert cards[stocked[0]]["why"].startswith("hide by dana (about one employee), hidden")
    assert cards[stocked[1]]["why"].endswith("ugly, set by sam")


def test_counts_by_state(store: Store, stocked: list[str]) -> None:
    """The pending count the console always shows."""
    assert queue.counts(store) == {"pending": 2, "approved": 2, "hidden": 0}  # French waits


def test_every_match_can_be_selected_up_to_the_cap(store: Store, tagger: Tagger) -> None:
    """The ids of all matches, newest first, cut at the cap and saying there were more."""
    add(store, tagger, *(Verbatim("s", f"Late delivery {i}", str(i)) for i in range(5)))
    found = queue.matching_ids(store, q(q="late"), cap=3)
    assert len(found["ids"]) == 3 and found["more"]
    assert queue.matching_ids(store, q(q="late"), cap=10)["more"] is False


def test_a_value_of_a_key_feeds_filter_on_walks_the_metadata_rows(
    store: Store, stocked: list[str]
) -> None:
    """Once a feed filters on `region`, the queue reads its rows by index: the same answers."""
    from ticker.feeds import Feed, FeedFilter

    before = [texts(store, q(meta="region=LATAM")), texts(store, q(meta="region=EMEA", q="thank"))]
    store.save_feed(Feed("latam", "LATAM", FeedFilter(meta={"region": "LATAM"})))
    sql, _ = queue._select(q(meta="region=LATAM"), "v.id", 10, frozenset({"region"}))
    assert "FROM verbatim_meta" in sql
    after = [texts(store, q(meta="region=LATAM")), texts(store, q(meta="region=EMEA", q="thank"))]
    assert (
        after
        == before
        == [["Delivery late again, nobody called"], ["The engineer was brilliant, thank you"]]
    )


def test_search_follows_new_comments_and_edits(store: Store, tagger: Tagger) -> None:
    """A new comment is found at once; an edited one by its new words and not its old."""
    add(store, tagger, Verbatim("s", "The parcel was lost", "e1", 2, "csat5"))
    assert texts(store, q(q="parcel")) == ["The parcel was lost"]
    add(store, tagger, Verbatim("s", "Found the box in the end, fine", "e1", 4, "csat5"))
    assert texts(store, q(q="parcel")) == []
    assert texts(store, q(q="box")) == ["Found the box in the end, fine"]
