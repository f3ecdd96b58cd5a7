"""Zendesk CSAT pulls against a local server speaking the satisfaction_ratings API."""

from __future__ import annotations

import httpx
import pytest

from ingest.api import PullError
from ingest.pull import PullReport, pull
from tests.fakes.zendesk import TOKEN, USER, FakeZendesk, rating, running
from tests.ingest.conftest import Sleeps, pulled
from ticker.pipeline import Pipeline
from ticker.sources import Source, health
from ticker.store import Store

ENV = {"ZD_TOKEN": TOKEN}


def source(url: str) -> Source:
    return Source("zendesk", "zendesk", "ZD_TOKEN", url=url, user=USER)


def mixed(n: int) -> list[dict[str, object]]:
    """Rated with comments, rated without, offered but unrated: as real accounts have."""
    kinds = [
        ("good", "Fast and friendly, thank you!"),
        ("bad", "Nobody read my ticket properly."),
        ("good", None),
        ("offered", None),
        ("unoffered", None),
    ]
    return [rating(i, *kinds[i % len(kinds)]) for i in range(n)]


def run(pipeline: Pipeline, url: str, sleeps: Sleeps | None = None) -> PullReport:
    return pulled(pipeline, source(url), ENV, sleeps)


def test_pages_are_followed_and_only_rated_comments_kept(pipeline: Pipeline, store: Store) -> None:
    """250 ratings over three pages: the 100 with a comment and a score go in, with CSAT 5 or 1."""
    fake = FakeZendesk(mixed(250))
    with running(fake) as url:
        report = run(pipeline, url)
    assert (report.pages, report.added, report.skipped) == (3, 100, 150)
    scores = {r["score"] for r in store.db.query("SELECT score FROM verbatims")}
    assert scores == {5.0, 1.0} and store.cursor("zendesk") == "250"


def test_a_second_pull_asks_only_for_what_is_new(pipeline: Pipeline, store: Store) -> None:
    """The cursor is kept: the next pull starts after it and adds only the new ratings."""
    fake = FakeZendesk(mixed(10))
    with running(fake) as url:
        run(pipeline, url)
        fake.ratings += [rating(100, "bad", "Still waiting for the engineer.")]
        fake.requests.clear()
        report = run(pipeline, url)
    assert report.added == 1 and len(fake.requests) == 1
    assert "page%5Bafter%5D=10" in fake.requests[0]


def test_429_waits_as_long_as_retry_after_says(pipeline: Pipeline, store: Store) -> None:
    """A rate limit is waited out for exactly the seconds Zendesk asks, then the pull goes on."""
    fake = FakeZendesk(mixed(5), failures=[(429, {"Retry-After": "7"})])
    sleeps = Sleeps()
    with running(fake) as url:
        report = run(pipeline, url, sleeps)
    assert sleeps == [7.0] and report.added == 2


def test_server_errors_are_retried_with_backoff(pipeline: Pipeline, store: Store) -> None:
    """503 twice, then the page: waits of 1 s and 2 s, nothing lost."""
    fake = FakeZendesk(mixed(5), failures=[(503, {}), (503, {})])
    sleeps = Sleeps()
    with running(fake) as url:
        report = run(pipeline, url, sleeps)
    assert sleeps == [1.0, 2.0] and report.added == 2


def test_an_expired_token_stops_at_once_and_says_so(pipeline: Pipeline, store: Store) -> None:
    """401 is not retried; the source shows `auth failed` with what to fix."""
    fake = FakeZendesk(mixed(5))
    with running(fake) as url, httpx.Client() as client, pytest.raises(PullError) as failed:
        pull(pipeline, source(url), client, Sleeps(), {"ZD_TOKEN": "expired"})
    assert "refused the credentials" in str(failed.value)
    assert failed.value.kind == "auth" and len(fake.requests) == 1
    [row] = health({"zendesk": source("x")}, store.source_health(), ENV)
    assert row["status"] == "auth failed" and "check the token" in row["last_error"]


def test_a_changed_schema_is_reported_and_stores_nothing(pipeline: Pipeline, store: Store) -> None:
    """An answer without satisfaction_ratings stops the pull with a clear reason."""
    fake = FakeZendesk([], body_override={"ratings": []})
    with running(fake) as url, pytest.raises(PullError, match="API changed"):
        run(pipeline, url)
    assert store.count() == 0
    assert health({}, store.source_health(), ENV)[0]["status"] == "degraded"


def test_an_empty_account_is_one_empty_page(pipeline: Pipeline, store: Store) -> None:
    """No ratings yet: one request, nothing added, no error."""
    with running(FakeZendesk([])) as url:
        report = run(pipeline, url)
    assert (report.pages, report.added) == (1, 0)


def test_a_pull_killed_half_way_resumes_without_loss_or_repeats(
    pipeline: Pipeline, store: Store
) -> None:
    """The server dies after two pages; the rerun starts at page three; every rating once."""
    fake = FakeZendesk(mixed(300), fail_from=3)
    with running(fake) as url:
        with pytest.raises(PullError, match="gave up"):
            run(pipeline, url)
        assert store.cursor("zendesk") == "200" and store.count() == 80
        [row] = health({}, store.source_health(), ENV)
        assert row["status"] == "degraded" and row["last_pull_at"] is None
        fake.fail_from = None
        fake.requests.clear()
        report = run(pipeline, url)
        assert health({}, store.source_health(), ENV)[0]["last_pull_added"] == 40
        assert run(pipeline, url).added == 0
    [row] = health({}, store.source_health(), ENV)
    assert row["status"] == "ok" and row["last_pull_added"] == 0  # an empty pull is a good one
    assert report.added == 40 and len(fake.requests) == 2
    assert (
        store.count() == 120 == len({r["id"] for r in store.db.query("SELECT id FROM verbatims")})
    )


def test_an_answer_no_adapter_foresaw_still_marks_the_source(
    pipeline: Pipeline, store: Store
) -> None:
    """Not a PullError (here `meta` is a string): the pull fails loudly and the source says so."""
    fake = FakeZendesk([], body_override={"satisfaction_ratings": [], "meta": "odd"})
    with running(fake) as url, pytest.raises(AttributeError):
        run(pipeline, url)
    [row] = health({}, store.source_health(), ENV)
    assert row["status"] == "degraded" and row["last_error"].startswith("error: AttributeError")
