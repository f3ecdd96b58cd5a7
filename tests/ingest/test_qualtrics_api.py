"""Qualtrics export-flow pulls against a local server speaking the v3 export API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest import qualtrics_api
from ingest.api import PullError
from ingest.pull import PullReport
from tests.fakes.qualtrics import SURVEY_ID, TOKEN, FakeQualtrics, export_csv, row, running
from tests.ingest.conftest import Sleeps, pulled
from ticker.pipeline import Pipeline
from ticker.sources import Source, health
from ticker.store import Store

ENV = {"QX_TOKEN": TOKEN}
EARLY = [row(i, f"2026-11-0{1 + i % 5} 10:00:{i % 60:02d}", score=i % 11) for i in range(40)]
PREVIEW = row(99, "2026-11-02 11:00:00", comment="Just testing the survey", status="Survey Preview")


@pytest.fixture(autouse=True)
def at(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The pull's clock: tests move it on by appending."""
    moments = [datetime(2026, 11, 10, 12, 0, tzinfo=UTC)]
    monkeypatch.setattr(qualtrics_api, "now", lambda: moments[-1])
    return moments


def source(url: str, **chosen: object) -> Source:
    return Source("qx", "qualtrics", "QX_TOKEN", url=url, survey=SURVEY_ID, **chosen)  # type: ignore[arg-type]


def run(pipeline: Pipeline, url: str, sleeps: Sleeps | None = None, **chosen: object) -> PullReport:
    return pulled(pipeline, source(url, **chosen), ENV, sleeps)


def test_the_export_is_started_polled_downloaded_and_read(pipeline: Pipeline, store: Store) -> None:
    """40 responses and a preview: the comments go in with their NPS, the preview does not;
    the export asked for CSV in UTC up to the pull's moment, which becomes the cursor."""
    fake = FakeQualtrics(export_csv([*EARLY, PREVIEW]))
    sleeps = Sleeps()
    with running(fake) as url:
        report = run(pipeline, url, sleeps)
    assert report.added == 40 and store.count() == 40
    assert fake.bodies == [{"format": "csv", "timeZone": "UTC", "endDate": "2026-11-10T11:55:00Z"}]
    assert sleeps == [1.0, 2.0]  # two polls said inProgress
    assert store.cursor("qx") == "2026-11-10T11:55:00Z"  # five minutes before the pull
    scores = {r["score"] for r in store.db.query("SELECT score FROM verbatims")}
    assert scores == {float(s) for s in range(11)}
    text = " ".join(r["text"] for r in store.db.query("SELECT text FROM verbatims"))
    assert "Just testing" not in text


def test_the_next_pull_exports_from_where_the_last_ended(
    pipeline: Pipeline, store: Store, at: list[datetime]
) -> None:
    """startDate is the last endDate: only responses recorded since come back."""
    fake = FakeQualtrics(export_csv(EARLY))
    with running(fake) as url:
        run(pipeline, url)
        fake.csv_text = export_csv([*EARLY, row(200, "2026-11-12 08:00:00", 2, "Still no refund.")])
        at.append(datetime(2026, 11, 15, 9, 30, tzinfo=UTC))
        report = run(pipeline, url)
    assert report.added == 1 and store.count() == 41
    assert fake.bodies[-1]["startDate"] == "2026-11-10T11:55:00Z"


def test_a_failed_export_is_reported_and_moves_nothing(pipeline: Pipeline, store: Store) -> None:
    """Status `failed` (at 100 %, with no file): a clear error, the cursor kept."""
    fake = FakeQualtrics(export_csv(EARLY), fail_export=True)
    with running(fake) as url, pytest.raises(PullError, match="export failed"):
        run(pipeline, url)
    assert store.cursor("qx") is None and store.count() == 0


def test_a_corrupt_download_is_a_schema_error(pipeline: Pipeline, store: Store) -> None:
    fake = FakeQualtrics(export_csv(EARLY), corrupt_zip=True)
    with running(fake) as url, pytest.raises(PullError, match="not a zip") as failed:
        run(pipeline, url)
    assert failed.value.kind == "schema"
    assert health({}, store.source_health(), ENV)[0]["status"] == "degraded"


def test_a_question_no_longer_in_the_survey_stops_with_the_columns(
    pipeline: Pipeline, store: Store
) -> None:
    """`text = ["Q9"]` and the export has no Q9: the survey changed; the columns are listed."""
    fake = FakeQualtrics(export_csv(EARLY))
    with running(fake) as url, pytest.raises(PullError, match="'Q9'.*Q2.*survey changed"):
        run(pipeline, url, text=("Q9",))


def test_a_wrong_token_and_a_wrong_survey(pipeline: Pipeline, store: Store) -> None:
    """401 stops as auth failed with Qualtrics' words; an unknown survey is a 404 to fix."""
    fake = FakeQualtrics(export_csv(EARLY))
    with running(fake) as url:
        with pytest.raises(PullError, match="Unrecognized X-API-TOKEN") as failed:
            pulled(pipeline, source(url), {"QX_TOKEN": "wrong"})
        assert failed.value.kind == "auth" and len(fake.requests) == 1
        other = Source("qx", "qualtrics", "QX_TOKEN", url=url, survey="SV_nope")
        with pytest.raises(PullError, match="404: Invalid survey ID"):
            pulled(pipeline, other, ENV)


def test_rate_limits_and_server_errors_while_polling(pipeline: Pipeline, store: Store) -> None:
    """A 429 with Retry-After then a 503 are waited out; the export still arrives whole."""
    fake = FakeQualtrics(export_csv(EARLY), polls_before_complete=0)
    fake.failures = [(429, {"Retry-After": "9"}), (503, {})]
    sleeps = Sleeps()
    with running(fake) as url:
        report = run(pipeline, url, sleeps)
    assert sleeps == [9.0, 2.0] and report.added == 40


def test_a_pull_killed_during_the_download_is_redone_whole(
    pipeline: Pipeline, store: Store
) -> None:
    """The server dies at the download: nothing stored, cursor unmoved; the rerun exports the
    same range again and stores every comment once."""
    fake = FakeQualtrics(export_csv(EARLY), polls_before_complete=0, fail_from=3)
    with running(fake) as url:
        with pytest.raises(PullError, match="gave up"):
            run(pipeline, url)
        assert store.count() == 0 and store.cursor("qx") is None
        fake.fail_from = None
        report = run(pipeline, url)
        again = run(pipeline, url)
    assert report.added == 40 and again.added == 0 and store.count() == 40


def test_meta_keeps_export_columns_under_labels(pipeline: Pipeline, store: Store) -> None:
    """`meta = {language = "UserLanguage"}`: that column only (and the question)."""
    fake = FakeQualtrics(export_csv(EARLY[:1]))
    with running(fake) as url:
        run(pipeline, url, meta=(("language", "UserLanguage"),))
    [row] = [store.get(r["id"]) for r in store.db.query("SELECT id FROM verbatims")]
    assert row.meta == {"language": "EN", "question": "What is the main reason for your score?"}
