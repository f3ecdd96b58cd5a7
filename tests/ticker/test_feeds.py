"""Feed definitions: old ones still load, every problem names its field and the fix, and every
filter field works on the store's playlist query, not just in a form."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import add
from ticker.curation import approve
from ticker.feeds import Feed, FeedError, FeedFilter, parse, problems
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.store import Store


def fields(data: dict[str, Any]) -> dict[str, str]:
    """Each problem of a definition by its field."""
    return {p.field: str(p) for p in problems(parse(data))}


def test_a_definition_stored_before_the_builder_loads_with_defaults(store: Store) -> None:
    """A one-value metadata filter and no new fields: the defaults fill in, the value holds."""
    old = {
        "name": "emea",
        "title": "EMEA",
        "filter": {"sources": [], "buckets": ["good"], "meta": {"region": "EMEA"}},
        "mix": {"shares": {"good": 2, "bad": 1}, "size": 10, "spaced": ["ugly"]},
        "display": {"speed": 60, "direction": "left", "theme": "light", "meta": ["region"]},
    }
    store.db.execute(
        "INSERT INTO feeds (name, title, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        ["emea", "EMEA", json.dumps(old), "2025-01-01", "2025-01-01"],
    )
    feed = store.feed("emea")
    assert feed.filter.meta == {"region": ("EMEA",)}
    assert feed.filter.languages == () and feed.filter.scores == {}
    assert feed.mix.floors == {} and feed.mix.ugly_per_hour is None
    assert (feed.display.layout, feed.display.pacing, feed.access) == ("ticker", "reading", "open")
    with pytest.raises(FeedError, match="add up to 300 %"):  # loads, but is not saved like this
        Feed.from_dict(old)


@pytest.mark.parametrize(
    ("change", "field", "said"),
    [
        (
            {"mix": {"shares": {"good": 0.5, "bad": 0.3, "ugly": 0.1}}},
            "mix.shares",
            "add up to 90 %",
        ),
        ({"mix": {"size": 5, "floors": {"bad": 3, "ugly": 3}}}, "mix.floors", "more than the"),
        ({"filter": {"scores": {"nps": [9, 6]}}}, "filter.scores.nps", "inverted"),
        (
            {"filter": {"scores": {"csat5": [0, 10]}}},
            "filter.scores.csat5",
            "outside its scale 1-5",
        ),
        ({"filter": {"scores": {"ces7": [1, 2]}}}, "filter.scores.ces7", "unknown scale"),
        ({"filter": {"languages": ["english"]}}, "filter.languages", "two-letter language codes"),
        ({"filter": {"buckets": ["great"]}}, "filter.buckets", "unknown bucket"),
        ({"name": "Retail EMEA"}, "name", "lowercase letters"),
        ({"display": {"pacing": "slow"}}, "display.pacing", "'reading' or 'fixed'"),
        ({"display": {"dwell_seconds": 1}}, "display.dwell_seconds", "3 to 120 seconds"),
        ({"access": "secret"}, "access", "'open' or 'token'"),
    ],
)
def test_each_problem_names_its_field_and_the_fix(
    change: dict[str, Any], field: str, said: str
) -> None:
    """What a form puts beside the field: which one, and what to do."""
    found = fields({"name": "retail", **change})
    assert said in found[field], found


def test_shares_that_round_to_a_whole_are_accepted() -> None:
    """A third each is 99 %, and that is what people type."""
    third = {"good": 0.33, "bad": 0.33, "ugly": 0.33}
    assert fields({"name": "thirds", "mix": {"shares": third}}) == {}


def test_a_value_of_the_wrong_type_names_its_field() -> None:
    """A share of "lots" or a meta value that is a number cannot be weighed: said where."""
    with pytest.raises(FeedError) as bad:
        Feed.from_dict({"name": "x", "mix": {"shares": {"good": "lots"}}})
    assert bad.value.field == "mix.shares.good"
    with pytest.raises(FeedError) as odd:
        Feed.from_dict({"name": "x", "filter": {"meta": {"region": 5}}})
    assert odd.value.field == "filter.meta.region"


def test_a_definition_round_trips_through_json() -> None:
    """What the builder saves is what the store gives back."""
    data = {
        "name": "nps-detractors",
        "title": "Detractors, France",
        "filter": {"languages": ["fr"], "scores": {"nps": [0, 6]}, "meta": {"store": ["A", "B"]}},
        "mix": {"floors": {"ugly": 2}, "ugly_per_hour": 6},
        "display": {"layout": "wall", "pacing": "fixed", "dwell_seconds": 12},
        "access": "token",
    }
    feed = Feed.from_dict(data)
    assert Feed.from_dict(json.loads(json.dumps(feed.to_dict()))) == feed


def test_saving_a_feed_again_keeps_when_it_was_created(store: Store) -> None:
    """created_at is the first save's; updated_at moves with each change."""
    store.save_feed(Feed("retail", "Retail"))
    [(updated,)] = store.db.execute("SELECT updated_at FROM feeds WHERE name = 'retail'").fetchall()
    store.db.execute(
        "UPDATE feeds SET created_at = '2025-01-01T00:00:00+00:00' WHERE name = 'retail'"
    )
    store.save_feed(Feed("retail", "Retail stores"))
    [(kept, moved, title)] = store.db.execute(
        "SELECT created_at, updated_at, title FROM feeds WHERE name = 'retail'"
    ).fetchall()
    assert kept == "2025-01-01T00:00:00+00:00" and moved >= updated and title == "Retail stores"


COMMENTS = [
    Verbatim("nps", "The staff were so helpful and kind", "p1", 10, "nps", meta={"store": "A"}),
    Verbatim("nps", "Waited far too long at the till again", "d1", 3, "nps", meta={"store": "B"}),
    Verbatim("nps", "Okay I guess, the queue was long", "d2", 5, "nps", meta={"store": "C"}),
    Verbatim(
        "csat",
        "Le service était vraiment excellent, merci beaucoup à toute l'équipe",
        "f1",
        5,
        "csat5",
        meta={"store": "A"},
    ),
    Verbatim("csat", "Terrible support, nobody ever answered my emails", "c1", 1, "csat5"),
]


@pytest.fixture
def texts(store: Store, tagger: Tagger) -> dict[str, str]:
    add(store, tagger, *COMMENTS)
    for row in store.db.query("SELECT id FROM verbatims WHERE state = 'pending'"):
        approve(store, row["id"], "test")
    return {v.key: v.text for v in COMMENTS}


def shown(store: Store, texts: dict[str, str], **filt: Any) -> set[str]:
    every = ("good", "bad", "ugly", "neutral")
    found = store.candidates(FeedFilter(buckets=every, **filt), per_bucket=10)
    return {texts[s.id] for s in found}


def test_score_ranges_per_scale_pick_the_comments_on_screens(
    store: Store, texts: dict[str, str]
) -> None:
    """NPS detractors are 0-6; naming a range shows only comments scored on a named scale."""
    detractors = shown(store, texts, scores={"nps": (0, 6)})
    assert detractors == {COMMENTS[1].text, COMMENTS[2].text}
    unhappy = shown(store, texts, scores={"nps": (0, 6), "csat5": (1, 2)})
    assert unhappy == {COMMENTS[1].text, COMMENTS[2].text, COMMENTS[4].text}


def test_languages_and_metadata_values_pick_the_comments_on_screens(
    store: Store, texts: dict[str, str]
) -> None:
    """A language is the comment's own; a metadata key may take any of several values."""
    assert shown(store, texts, languages=("fr",)) == {COMMENTS[3].text}
    assert shown(store, texts, meta={"store": ("A", "B")}) == {
        COMMENTS[0].text,
        COMMENTS[1].text,
        COMMENTS[3].text,
    }
    store.save_feed(Feed("stores", "Stores", FeedFilter(meta={"store": ("A", "B")})))  # indexed
    assert shown(store, texts, meta={"store": ("B", "C")}) == {COMMENTS[1].text, COMMENTS[2].text}
    assert shown(store, texts, meta={"store": ("A",)}, languages=("fr",)) == {COMMENTS[3].text}
