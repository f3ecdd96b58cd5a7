"""Feeds out: RSS, Atom, JSON Feed and CSV of a feed, read back by feedparser and csv."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import feedparser
import httpx
import pytest

from tests.conftest import Running, add, serving, until
from ticker import curation
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store

HOSTILE = 'Great <img src=x onerror="alert(1)"> & <script>alert(2)</script> app'
COMMENTS = [
    Verbatim(
        "support",
        "The technician was friendly, thank you!",
        "g1",
        5,
        "csat5",
        "2026-11-01T10:00:00Z",
        {"region": "EMEA", "email": "ann@example.com"},
    ),
    Verbatim(
        "support",
        "Delivery was late and nobody called me",
        "b1",
        2,
        "csat5",
        "2026-11-02T10:00:00Z",
    ),
    Verbatim("nps", HOSTILE, "x1", 9, "nps", "2026-11-03T10:00:00Z"),
    Verbatim("nps", "Call me on 07700 900123, the order never came", "p1", 1, "nps"),
]


@pytest.fixture
def ids(store: Store, tagger: Tagger) -> list[str]:
    return add(store, tagger, *COMMENTS)


@pytest.fixture
def server(settings: Settings, ids: list[str]) -> Iterator[Running]:
    with serving(settings) as running:
        yield running


def get(server: Running, kind: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{server.http}/feeds/all.{kind}", headers=headers)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_rss_and_atom_parse_cleanly_with_stable_ids(server: Running, kind: str) -> None:
    """feedparser reads every entry without complaint; ids and text are as stored, masked."""
    r = get(server, kind)
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    texts = {e.title for e in parsed.entries}
    assert "The technician was friendly, thank you!" in texts
    assert any(
        "[phone]" in e.summary or "[phone]" in e.get("content", [{}])[0].get("value", "")
        for e in parsed.entries
        if "order never came" in e.title
    )
    assert all("07700" not in e.title for e in parsed.entries)
    again = feedparser.parse(get(server, kind).content)
    assert [e.id for e in again.entries] == [e.id for e in parsed.entries]


def test_hostile_text_is_text_in_every_format(server: Running) -> None:
    """Markup in a comment is escaped: no element of it appears in the XML."""
    for kind in ("rss", "atom"):
        body = get(server, kind).text
        assert "<img" not in body and "<script" not in body and "&lt;img" in body
    entry = next(i for i in get(server, "json").json()["items"] if "onerror" in i["content_text"])
    assert entry["content_text"] == HOSTILE


def test_json_feed_is_version_1_1_with_only_the_shown_labels(server: Running) -> None:
    """JSON Feed 1.1; metadata only of the labels the feed shows (never an email)."""
    feed = get(server, "json").json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    first = next(i for i in feed["items"] if "technician" in i["content_text"])
    assert first["_voc_ticker"]["meta"] == {"region": "EMEA"} and first["tags"] == ["good"]
    assert "ann@example.com" not in get(server, "json").text


def test_csv_is_a_flat_table_newest_first(server: Running) -> None:
    """One row a comment, the feed's labels as columns, cells no spreadsheet runs."""
    rows = list(csv.DictReader(io.StringIO(get(server, "csv").text)))
    assert rows[0]["id"] and {"bucket", "score", "source", "text", "region"} <= set(rows[0])
    assert [r["given_at"] for r in rows if r["given_at"]] == sorted(
        (r["given_at"] for r in rows if r["given_at"]), reverse=True
    )


def test_a_hidden_comment_leaves_every_format(
    server: Running, store: Store, ids: list[str]
) -> None:
    """Hide: gone from RSS, JSON and CSV; Atom says so with an at:deleted-entry (how soon:
    `python -m bench.reach`, in the README)."""
    curation.hide(store, ids[1], "dana", "duplicate")
    until(lambda: "nobody called" not in get(server, "rss").text)
    assert "nobody called" not in get(server, "json").text + get(server, "csv").text
    atom = get(server, "atom").text
    assert "nobody called" not in atom
    assert "deleted-entry" in atom and f"#{ids[1]}" in atom
    assert not feedparser.parse(atom.encode()).bozo


def test_an_unchanged_feed_is_304_and_a_change_is_not(
    server: Running, store: Store, ids: list[str]
) -> None:
    """ETag and Last-Modified stand while nothing changes; a mask changes the ETag."""
    first = get(server, "atom")
    tag, modified = first.headers["etag"], first.headers["last-modified"]
    again = get(server, "atom", **{"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["last-modified"] == modified
    curation.mask(store, ids[0], "dana", 4, 14)
    until(lambda: get(server, "atom", **{"If-None-Match": tag}).status_code != 304)


def test_unknown_feeds_and_formats_are_404(server: Running) -> None:
    """A made-up feed or format is a 404 that says what exists."""
    assert httpx.get(f"{server.http}/feeds/nope.rss").status_code == 404
    bad = httpx.get(f"{server.http}/feeds/all.xml")
    assert bad.status_code == 404 and ".atom" in bad.text
