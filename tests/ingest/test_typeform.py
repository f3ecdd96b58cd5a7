"""Typeform Responses API pulls against a local server speaking it."""

from __future__ import annotations

import pytest

from ingest.api import PullError
from ingest.pull import PullReport
from tests.fakes.typeform import (
    FORM_ID,
    TOKEN,
    FakeTypeform,
    choice_answer,
    field,
    form,
    number_answer,
    partial,
    response,
    running,
    text_answer,
)
from tests.ingest.conftest import Sleeps, pulled
from ticker.pipeline import Pipeline
from ticker.sources import Source, health
from ticker.store import Store

ENV = {"TF_TOKEN": TOKEN}
FORM = form(
    [
        field("nps1", "nps", "How likely are you to recommend us?", steps=11),
        field("why", "long_text", "What is the main reason for your score?"),
        field("name", "short_text", "What's your name?"),
        field("plan", "multiple_choice", "Which plan are you on?"),
    ]
)


def source(url: str, **chosen: object) -> Source:
    return Source("tf", "typeform", "TF_TOKEN", url=url, survey=FORM_ID, **chosen)  # type: ignore[arg-type]


def answered(
    i: int, comment: str | None = "Setup took five minutes, lovely.", score: int = 9
) -> dict[str, object]:
    answers = [number_answer("nps1", score), text_answer("name", "Ana", field_type="short_text")]
    if comment is not None:
        answers.append(text_answer("why", comment))
    answers.append(choice_answer("plan", "Pro"))
    return response(i, answers, f"2026-11-{1 + i // 1440:02d}T{i // 60 % 24:02d}:{i % 60:02d}:00Z")


def run(pipeline: Pipeline, url: str, sleeps: Sleeps | None = None, **chosen: object) -> PullReport:
    return pulled(pipeline, source(url, **chosen), ENV, sleeps)


def test_pages_are_read_with_before_and_partials_skipped(pipeline: Pipeline, store: Store) -> None:
    """2,500 responses (page size 1,000) plus empty partials: three pages; each comment once,
    with its NPS, its question's title and no name; the cursor is the newest submission."""
    fake = FakeTypeform(FORM, [answered(i) for i in range(2500)] + [partial(1), partial(2)])
    with running(fake) as url:
        report = run(pipeline, url)
    assert (report.pages, report.added, report.skipped) == (3, 2500, 2)
    assert "before=tok001500" in fake.requests[-2] and "before=tok000500" in fake.requests[-1]
    row = store.get(store.db.execute("SELECT id FROM verbatims LIMIT 1").fetchone()[0])
    assert (row.score, row.scale, row.meta["question"]) == (
        9.0,
        "nps",
        "What is the main reason for your score?",
    )
    assert "Ana" not in str(row.meta) and store.cursor("tf") == "2026-11-02T17:39:00Z"


def test_the_next_pull_asks_since_the_cursor_with_an_hour_of_overlap(
    pipeline: Pipeline, store: Store
) -> None:
    """Only the new response is added; the overlap re-reads some, stored once."""
    fake = FakeTypeform(FORM, [answered(i) for i in range(100)])
    with running(fake) as url:
        run(pipeline, url)
        fake.responses.append(answered(200, "The export to Excel is broken again."))
        fake.requests.clear()
        report = run(pipeline, url)
    assert report.added == 1 and store.count() == 101
    assert "since=2026-11-01T00%3A39%3A00" in fake.requests[-1]  # 01:39 less an hour


def test_named_fields_and_a_configured_score(pipeline: Pipeline, store: Store) -> None:
    """`text` and `score` by ref or id: the short-text name field can be chosen on purpose."""
    fake = FakeTypeform(FORM, [answered(1, score=3)])
    with running(fake) as url:
        run(pipeline, url, text=("name",), score="nps1", scale="nps")
    [row] = [store.get(r["id"]) for r in store.db.query("SELECT id FROM verbatims")]
    assert (row.text, row.score) == ("Ana", 3.0)


def test_a_changed_form_stops_the_pull_and_says_which_fields(
    pipeline: Pipeline, store: Store
) -> None:
    """A configured field that is no longer in the form: nothing read, the source degraded."""
    fake = FakeTypeform(FORM, [answered(1)])
    with running(fake) as url, pytest.raises(PullError, match="why_v1 are not in form") as failed:
        run(pipeline, url, text=("why_v1",))
    assert failed.value.kind == "schema" and len(fake.requests) == 1
    assert health({}, store.source_health(), ENV)[0]["status"] == "degraded"


def test_a_malformed_response_is_quarantined_and_the_rest_go_in(
    pipeline: Pipeline, store: Store
) -> None:
    """A text answer that is not text: that response waits in quarantine with the reason."""
    bad = answered(2)
    bad["answers"][2]["text"] = {"oops": 1}  # type: ignore[index]
    fake = FakeTypeform(FORM, [answered(1), bad, answered(3)])
    with running(fake) as url:
        report = run(pipeline, url)
    assert report.added == 2
    [q] = store.quarantined("tf")
    assert "field why is not text" in q["reason"] and "tok000002" in q["raw"]


def test_a_form_with_malformed_properties_stops_the_pull_as_a_changed_api(
    pipeline: Pipeline, store: Store
) -> None:
    """A field's properties that are no object is a schema failure that names the field."""
    broken = form([*FORM["fields"], {**field("odd", "opinion_scale", "?"), "properties": [5]}])
    with running(FakeTypeform(broken, [answered(1)])) as url, pytest.raises(PullError) as failed:
        run(pipeline, url)
    assert failed.value.kind == "schema" and "properties of field 'odd' are a list" in str(
        failed.value
    )


def test_429_and_5xx_are_waited_out(pipeline: Pipeline, store: Store) -> None:
    """A 503 is retried after a second; Retry-After is honoured."""
    fake = FakeTypeform(FORM, [answered(1)], failures=[(503, {}), (429, {"Retry-After": "7"})])
    sleeps = Sleeps()
    with running(fake) as url:
        report = run(pipeline, url, sleeps)
    assert sleeps == [1.0, 7.0] and report.added == 1


def test_a_refused_token_is_auth_failed_with_typeforms_words(
    pipeline: Pipeline, store: Store
) -> None:
    """Typeform answers 403 with a description; the pull stops at once."""
    fake = FakeTypeform(FORM, [answered(1)])
    with running(fake) as url, pytest.raises(PullError) as failed:
        pulled(pipeline, source(url), {"TF_TOKEN": "tfp_revoked"})
    assert failed.value.kind == "auth" and "credentials not found" in str(failed.value)
    assert len(fake.requests) == 1


def test_an_empty_form_and_an_unknown_form(pipeline: Pipeline, store: Store) -> None:
    """No responses yet: one page, nothing added. A wrong form id: 404, a clear request error."""
    with running(FakeTypeform(FORM, [])) as url:
        assert run(pipeline, url).added == 0
        bad = Source("tf", "typeform", "TF_TOKEN", url=url, survey="nope")
        with pytest.raises(PullError, match="404.*check the source's url and survey"):
            pulled(pipeline, bad, ENV)


def test_a_pull_killed_half_way_is_read_again_whole(pipeline: Pipeline, store: Store) -> None:
    """The server dies on the second page: the cursor has not moved, the rerun reads every
    page again and stores each comment once."""
    fake = FakeTypeform(FORM, [answered(i) for i in range(2500)], fail_from=3)
    with running(fake) as url:
        with pytest.raises(PullError, match="gave up"):
            run(pipeline, url)
        assert store.cursor("tf") is None and store.count() == 1000
        fake.fail_from = None
        report = run(pipeline, url)
    assert report.added == 1500 and store.count() == 2500


def test_meta_keeps_the_fields_named_under_their_labels(pipeline: Pipeline, store: Store) -> None:
    """`meta = {plan = "plan"}` keeps the choice's label; nothing else but the question."""
    fake = FakeTypeform(FORM, [answered(1)])
    with running(fake) as url:
        run(pipeline, url, meta=(("plan", "plan"), ("who", "name")))
    [row] = [store.get(r["id"]) for r in store.db.query("SELECT id FROM verbatims")]
    assert row.meta == {
        "plan": "Pro",
        "who": "Ana",
        "question": "What is the main reason for your score?",
    }


def test_a_configured_score_takes_its_scale_from_the_form(pipeline: Pipeline, store: Store) -> None:
    """`score` without `scale`: a 1-5 opinion scale is CSAT; an unknown scale gives the comment
    with no score rather than quarantining it. Hidden fields named like people stay out."""
    fields = [
        field("sat", "opinion_scale", "How satisfied are you?", steps=5, start_at_one=True),
        field("ten", "opinion_scale", "Rate us", steps=10, start_at_one=True),
        field("why", "long_text", "Why?"),
    ]
    item = response(
        1,
        [
            number_answer("sat", 4, "opinion_scale"),
            number_answer("ten", 7, "opinion_scale"),
            text_answer("why", "Good value."),
        ],
        "2026-11-01T10:00:00Z",
    )
    item["hidden"] = {"uid": "u-81", "firstname": "Ana", "plan": "pro"}
    with running(FakeTypeform(form(fields), [item])) as url:
        run(pipeline, url, score="sat")
        pulled(
            pipeline,
            Source("tf2", "typeform", "TF_TOKEN", url=url, survey=FORM_ID, score="ten"),
            ENV,
        )
    rows = {
        r["source"]: store.get(r["id"]) for r in store.db.query("SELECT id, source FROM verbatims")
    }
    assert (rows["tf"].score, rows["tf"].scale) == (4.0, "csat5")
    assert (rows["tf2"].text, rows["tf2"].score) == ("Good value.", None)
    assert rows["tf"].meta == {"plan": "pro", "question": "Why?"}


def test_responses_without_a_token_are_keyed_by_their_content() -> None:
    """Two responses that lack a token are two comments, not one "None/why" twice."""
    from ingest.typeform import form_fields, verbatims

    fields = form_fields(FORM["fields"])
    found = []
    for i, words in enumerate(["Lovely setup.", "The app crashed twice."]):
        untokened = answered(i, words)
        untokened.pop("token", None)
        found += verbatims(source("http://x"), untokened, fields)
    assert [v.response_id for v in found] == [None, None]
    assert len({v.key for v in found}) == 2
