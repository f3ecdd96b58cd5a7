"""Delighted pulls against a local server speaking its survey_responses API."""

from __future__ import annotations

import pytest

from ingest.api import PullError
from ingest.pull import PullReport
from tests.conftest import serve_asgi
from tests.fakes.delighted import KEY, FakeDelighted, response
from tests.ingest.conftest import Sleeps, pulled
from ticker.pipeline import Pipeline
from ticker.sources import Source, health
from ticker.store import Store


def run(pipeline: Pipeline, url: str, key: str = KEY) -> PullReport:
    return pulled(pipeline, Source("delighted", "delighted", "DL_KEY", url=url), {"DL_KEY": key})


def test_responses_with_comments_come_in_and_null_comments_wait(
    pipeline: Pipeline, store: Store
) -> None:
    """250 responses over three pages; those with a comment are stored with their NPS."""
    fake = FakeDelighted(
        [response(i, comment=None if i % 2 else f"Great service {i}") for i in range(250)]
    )
    with serve_asgi(fake.app()) as url:
        report = run(pipeline, url)
    assert (report.pages, report.added, report.skipped) == (3, 125, 125)
    assert {r["scale"] for r in store.db.query("SELECT scale FROM verbatims")} == {"nps"}


def test_a_comment_added_later_arrives_on_the_next_pull(pipeline: Pipeline, store: Store) -> None:
    """Scores come first, comments on an update: the next pull asks for what was updated since."""
    fake = FakeDelighted([response(1, comment=None)])
    with serve_asgi(fake.app()) as url:
        assert run(pipeline, url).added == 0
        fake.responses[0].update(comment="Arrived early, thanks!", updated_at=1713419999)
        report = run(pipeline, url)
    assert report.added == 1 and "updated_since=1713418461" in fake.requests[-1]


def test_a_pull_stopped_half_way_reads_again_and_stores_once(
    pipeline: Pipeline, store: Store
) -> None:
    """The cursor moves only after the last page: a rerun rereads, nothing is lost or doubled."""
    fake = FakeDelighted([response(i, comment=f"Good {i}") for i in range(250)], fail_from=3)
    with serve_asgi(fake.app()) as url:
        with pytest.raises(PullError, match="gave up"):
            run(pipeline, url)
        assert store.count() == 200 and store.cursor("delighted") is None
        fake.fail_from = None
        assert run(pipeline, url).added == 50
    assert store.count() == 250


def test_a_malformed_response_is_quarantined_and_the_rest_come_in(
    pipeline: Pipeline, store: Store
) -> None:
    """person_properties that is a list: that response waits in quarantine with the reason."""
    bad = {**response(2, comment="Odd one"), "person_properties": ["VIP"]}
    fake = FakeDelighted([response(1, comment="Fine"), bad, response(3, comment="Also fine")])
    with serve_asgi(fake.app()) as url:
        report = run(pipeline, url)
    assert (report.added, report.quarantined, report.skipped) == (2, 1, 0)
    [q] = store.quarantined("delighted")
    assert q["reason"] == "person_properties must be an object, not a list" and "5002" in q["raw"]


def test_a_wrong_key_is_an_auth_failure(pipeline: Pipeline, store: Store) -> None:
    """401 stops the pull at once."""
    with serve_asgi(FakeDelighted([]).app()) as url, pytest.raises(PullError) as failed:
        run(pipeline, url, key="wrong")
    assert failed.value.kind == "auth"


def test_429_and_5xx_are_waited_out(pipeline: Pipeline, store: Store) -> None:
    """Retry-After is honoured, a 502 backed off; every response still arrives."""
    fake = FakeDelighted([response(1)], failures=[(429, {"Retry-After": "3"}), (502, {})])
    sleeps = Sleeps()
    with serve_asgi(fake.app()) as url:
        source = Source("delighted", "delighted", "DL_KEY", url=url)
        report = pulled(pipeline, source, {"DL_KEY": KEY}, sleeps)
    assert sleeps == [3.0, 2.0] and report.added == 1


def test_an_empty_account_and_a_changed_api(pipeline: Pipeline, store: Store) -> None:
    """No responses: one empty page. An object where a list belongs: stopped, degraded."""
    with serve_asgi(FakeDelighted([]).app()) as url:
        assert (run(pipeline, url).pages, store.count()) == (1, 0)
    changed = FakeDelighted([], body_override={"responses": []})
    with serve_asgi(changed.app()) as url, pytest.raises(PullError, match="changed") as failed:
        run(pipeline, url)
    assert failed.value.kind == "schema"
    assert health({}, store.source_health(), {"DL_KEY": KEY})[0]["status"] == "degraded"
