"""SurveyMonkey bulk-response pulls against a local server speaking API v3."""

from __future__ import annotations

import pytest

from ingest.api import PullError
from ingest.pull import PullReport
from tests.fakes.surveymonkey import (
    SURVEY_ID,
    TOKEN,
    FakeSurveyMonkey,
    choice_answer,
    details,
    essay,
    nps,
    nps_answer,
    response,
    running,
    single_choice,
    text_answer,
)
from tests.ingest.conftest import Sleeps, pulled
from ticker.pipeline import Pipeline
from ticker.sources import Source, health
from ticker.store import Store

ENV = {"SM_TOKEN": TOKEN}
DETAILS = details(
    [
        nps("501"),
        essay("502", "What is the main reason for your score?"),
        single_choice("503", "Which store did you visit?", ["Berlin", "Paris"]),
    ]
)


def source(url: str, **chosen: object) -> Source:
    return Source("sm", "surveymonkey", "SM_TOKEN", url=url, survey=SURVEY_ID, **chosen)  # type: ignore[arg-type]


def answered(
    i: int, score: int = 9, comment: str = "Staff were kind and quick."
) -> dict[str, object]:
    answers = {"501": nps_answer("501", score), "502": text_answer(comment)}
    answers["503"] = choice_answer("503", 1 + i % 2)
    return response(i, answers, f"2026-11-01T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}+00:00")


def run(pipeline: Pipeline, url: str, sleeps: Sleeps | None = None, **chosen: object) -> PullReport:
    return pulled(pipeline, source(url, **chosen), ENV, sleeps)


def test_pages_are_read_and_ids_resolved(pipeline: Pipeline, store: Store) -> None:
    """250 responses, three pages of 100, each asked from the last page's newest change: each
    comment with its NPS from the choice's place (not its weight), the store picked as
    metadata, and the cursor the newest change."""
    fake = FakeSurveyMonkey(DETAILS, [answered(i, score=i % 11) for i in range(250)])
    with running(fake) as url:
        report = run(pipeline, url)
    assert (report.pages, report.added) == (3, 250)
    last = fake.requests[-1]
    assert "start_modified_at=2026-11-01T00%3A03%3A16" in last and "page=1&" in last
    scores = sorted({r["score"] for r in store.db.query("SELECT score FROM verbatims")})
    assert scores == [float(s) for s in range(11)]
    row = store.get(store.db.execute("SELECT id FROM verbatims LIMIT 1").fetchone()[0])
    assert row.meta["question"] == "What is the main reason for your score?"
    assert row.meta["Which store did you visit?"] in ("Berlin", "Paris")
    assert store.cursor("sm") == "2026-11-01T00:04:09"


def test_the_next_pull_starts_at_the_cursor(pipeline: Pipeline, store: Store) -> None:
    """start_modified_at is the cursor; only the new response is added."""
    fake = FakeSurveyMonkey(DETAILS, [answered(i) for i in range(10)])
    with running(fake) as url:
        run(pipeline, url)
        fake.responses.append(answered(100, comment="Parking was impossible."))
        fake.requests.clear()
        report = run(pipeline, url)
    assert report.added == 1 and "start_modified_at=2026-11-01T00%3A00%3A08" in fake.requests[-1]


def test_screened_out_and_preview_responses_are_skipped(pipeline: Pipeline, store: Store) -> None:
    """Only completed responses are asked for; previews are no customers speaking."""
    preview = answered(3)
    preview["collection_mode"] = "survey_preview"
    fake = FakeSurveyMonkey(
        DETAILS,
        [answered(1), response(2, {}, "2026-11-01T00:00:02+00:00", "disqualified"), preview],
    )
    fake.responses[1]["pages"][0]["questions"] = [{"id": "502", "answers": text_answer("x")}]
    with running(fake) as url:
        report = run(pipeline, url)
    assert (report.added, report.skipped) == (1, 1) and "status=completed" in fake.requests[-1]


def test_an_unknown_question_or_choice_is_quarantined_and_the_rest_go_in(
    pipeline: Pipeline, store: Store
) -> None:
    """A response naming a question or a choice /details does not have waits in quarantine
    with the reason; the source shows degraded; the other responses are stored."""
    new_question = answered(2)
    new_question["pages"][0]["questions"].append({"id": "999", "answers": text_answer("hi")})  # type: ignore[index]
    new_choice = answered(3)
    new_choice["pages"][0]["questions"][0]["answers"] = [{"choice_id": "77", "row_id": "50100"}]  # type: ignore[index]
    fake = FakeSurveyMonkey(DETAILS, [answered(1), new_question, new_choice, answered(4)])
    with running(fake) as url:
        report = run(pipeline, url)
    assert report.added == 2
    reasons = sorted(q["reason"] for q in store.quarantined("sm"))
    assert reasons == [
        "choice 77 of question 501 is not in the survey's details; has the survey changed?",
        "question(s) 999 are not in the survey's details; has the survey changed?",
    ]
    assert health({}, store.source_health(), ENV)[0]["status"] == "degraded"


def test_a_configured_question_missing_from_the_survey_stops_the_pull(
    pipeline: Pipeline, store: Store
) -> None:
    """`text = ["600"]` but the survey has no question 600: the error lists what it has."""
    fake = FakeSurveyMonkey(DETAILS, [answered(1)])
    with (
        running(fake) as url,
        pytest.raises(PullError, match=r"600 are not in survey .* 502 \(What") as failed,
    ):
        run(pipeline, url, text=("600",))
    assert failed.value.kind == "schema" and store.count() == 0


def test_429_waits_for_the_minute_reset_header(pipeline: Pipeline, store: Store) -> None:
    """SurveyMonkey sends no Retry-After: the X-Ratelimit minute reset says how long."""
    reset = {
        "X-Ratelimit-App-Global-Minute-Reset": "17",
        "X-Ratelimit-App-Global-Minute-Remaining": "0",
    }
    fake = FakeSurveyMonkey(DETAILS, [answered(1)], failures=[(429, reset), (500, {})])
    sleeps = Sleeps()
    with running(fake) as url:
        report = run(pipeline, url, sleeps)
    assert sleeps == [17.0, 2.0] and report.added == 1


def test_an_expired_token_says_so_and_stops(pipeline: Pipeline, store: Store) -> None:
    """Error 1012: auth failed, with SurveyMonkey's message, after one request."""
    fake = FakeSurveyMonkey(DETAILS, [answered(1)], token_expired=True)
    with running(fake) as url, pytest.raises(PullError, match="has expired") as failed:
        run(pipeline, url)
    assert failed.value.kind == "auth" and len(fake.requests) == 1
    [row] = health({"sm": source("x")}, store.source_health(), ENV)
    assert row["status"] == "auth failed"


def test_an_empty_survey_is_one_empty_page(pipeline: Pipeline, store: Store) -> None:
    with running(FakeSurveyMonkey(DETAILS, [])) as url:
        report = run(pipeline, url)
    assert (report.pages, report.added) == (1, 0)


def test_a_pull_killed_half_way_resumes_without_loss_or_repeats(
    pipeline: Pipeline, store: Store
) -> None:
    """Dead after two pages (details, two pages, then 503s): the rerun starts from the last
    committed change and ends with every comment once."""
    fake = FakeSurveyMonkey(DETAILS, [answered(i) for i in range(300)], fail_from=4)
    with running(fake) as url:
        with pytest.raises(PullError, match="gave up"):
            run(pipeline, url)
        assert store.count() == 198 and store.cursor("sm") == "2026-11-01T00:03:17"
        fake.fail_from = None
        report = run(pipeline, url)
    assert report.added == 102 and store.count() == 300


def test_meta_names_questions_and_custom_variables(pipeline: Pipeline, store: Store) -> None:
    """`meta = {store = "503", campaign = "utm"}`: the picked choice and the variable."""
    item = answered(1)
    item["custom_variables"] = {"utm": "autumn-mail", "email": "ana@example.com"}
    fake = FakeSurveyMonkey(DETAILS, [item])
    with running(fake) as url:
        run(pipeline, url, meta=(("store", "503"), ("campaign", "utm")))
    [row] = [store.get(r["id"]) for r in store.db.query("SELECT id FROM verbatims")]
    assert row.meta == {
        "store": "Paris",
        "campaign": "autumn-mail",
        "question": "What is the main reason for your score?",
    }


def test_a_response_changed_during_the_pull_makes_none_skip(
    pipeline: Pipeline, store: Store
) -> None:
    """Response 0 is edited after the first page is read: it moves to the end of the list.
    With page numbers the first response of page 2 would shift onto page 1 and be lost."""
    fake = FakeSurveyMonkey(DETAILS, [answered(i) for i in range(150)])
    serve = fake._bulk

    def edit_after_first_page(request: object) -> dict[str, object]:
        body = serve(request)  # type: ignore[arg-type]
        first = fake.responses[0]
        if first["date_modified"].startswith("2026-11-01T00:00:00"):
            fake.responses[0] = {**first, "date_modified": "2026-11-01T05:00:00+00:00"}
        return body

    fake._bulk = edit_after_first_page  # type: ignore[method-assign]
    with running(fake) as url:
        run(pipeline, url)
    assert store.count() == 150


def test_a_rating_scores_by_its_weights_and_unordered_words_give_no_score(
    pipeline: Pipeline, store: Store
) -> None:
    """A 1-5 rating with weights is CSAT by weight; words with no numbers give no score (the
    comment still flows) rather than a guess that may run backwards."""
    rating = nps("601")
    rating["answers"]["choices"] = [
        {"id": f"60{n}", "text": label, "position": n, "weight": 6 - n}
        for n, label in enumerate(["Very satisfied", "Satisfied", "Neutral", "Bad", "Awful"], 1)
    ]
    worded = single_choice("602", "How was it?", ["Very satisfied", "Very dissatisfied"])
    survey = details([rating, worded, essay("502", "Why?")])
    item = response(
        1,
        {"601": [{"choice_id": "601", "row_id": "60100"}], "502": text_answer("Great")},
        "2026-11-01T00:00:01+00:00",
    )
    with running(FakeSurveyMonkey(survey, [item])) as url:
        run(pipeline, url, score="601")
        [row] = [store.get(r["id"]) for r in store.db.query("SELECT id FROM verbatims")]
        assert (row.score, row.scale) == (5.0, "csat5")
        other = Source("sm2", "surveymonkey", "SM_TOKEN", url=url, survey=SURVEY_ID, score="602")
        item["pages"][0]["questions"][0] = {"id": "602", "answers": choice_answer("602", 1)}  # type: ignore[index]
        pulled(pipeline, other, ENV)
    row = store.get(store.db.execute("SELECT id FROM verbatims WHERE source = 'sm2'").fetchone()[0])
    assert (row.text, row.score) == ("Great", None)
