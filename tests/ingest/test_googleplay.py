"""Google Play Console review reports: UTF-16 monthly CSVs written here, read without options."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.decode import UnreadableFile
from ingest.files import open_export
from ticker.pipeline import IngestReport, Pipeline
from ticker.records import Verbatim
from ticker.store import QuarantinedRow, Store

COLUMNS = [
    "Package Name",
    "App Version Code",
    "App Version Name",
    "Reviewer Language",
    "Device",
    "Review Submit Date and Time",
    "Review Submit Millis Since Epoch",
    "Review Last Update Date and Time",
    "Review Last Update Millis Since Epoch",
    "Star Rating",
    "Review Title",
    "Review Text",
    "Developer Reply Date and Time",
    "Developer Reply Millis Since Epoch",
    "Developer Reply Text",
    "Review Link",
]
APP = "com.example.ticker"
REPLY = "Thanks for the feedback! Please write to support@example.com."


def review(
    n: int,
    stars: int = 5,
    text: str = "Works well on my phone.",
    title: str = "",
    reply: str = "",
    edited: int = 0,
    link: bool = True,
) -> dict[str, str]:
    """One report row as Play writes it: both date styles, a link holding the review id."""
    submitted = 1_790_000_000_000 + n * 60_000
    updated = submitted + edited
    return {
        "Package Name": APP,
        "App Version Code": "412",
        "App Version Name": "4.1.2",
        "Reviewer Language": "de" if n % 2 else "en",
        "Device": "a54x",
        "Review Submit Date and Time": stamp(submitted),
        "Review Submit Millis Since Epoch": str(submitted),
        "Review Last Update Date and Time": stamp(updated),
        "Review Last Update Millis Since Epoch": str(updated),
        "Star Rating": str(stars),
        "Review Title": title,
        "Review Text": text,
        "Developer Reply Date and Time": stamp(updated + 3_600_000) if reply else "",
        "Developer Reply Millis Since Epoch": str(updated + 3_600_000) if reply else "",
        "Developer Reply Text": reply,
        "Review Link": (
            "https://play.google.com/console/developers/1/app/2/user-feedback/review-details"
            f"?reviewId=gp%3AAOqpTO{n:04d}&corpus=PUBLIC_REVIEWS"
            if link and text
            else ""
        ),
    }


def stamp(millis: int) -> str:
    """The report's own date style: ISO-8601 with a Z."""
    return datetime.fromtimestamp(millis / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def report(
    tmp_path: Path, rows: list[dict[str, str]], columns: list[str] = COLUMNS, month: str = "202611"
) -> Path:
    """A `reviews_<package>_<YYYYMM>.csv` in UTF-16 with a BOM, as the Console downloads it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[row.get(c, "") for c in columns] for row in rows])
    path = tmp_path / f"reviews_{APP}_{month}.csv"
    path.write_bytes(out.getvalue().encode("utf-16"))
    return path


def verbatims(path: Path) -> list[Verbatim]:
    return [r for r in open_export(path, "play").rows if isinstance(r, Verbatim)]


def ingest(pipeline: Pipeline, path: Path) -> IngestReport:
    export = open_export(path, "play")
    return pipeline.ingest("play", export.format, str(path), export.records, export.convert)


def test_a_report_is_detected_from_its_columns_without_options(tmp_path: Path) -> None:
    """UTF-16 with a BOM, Play's headers: stars 1-5, submitted time, language, device, version."""
    path = report(tmp_path, [review(1, 2, "Crashes when I open the camera.", "Crashes")])
    export = open_export(path, "play")
    assert (export.format, export.encoding) == ("google-play", "utf-16")
    [v] = verbatims(path)
    assert v.text == "Crashes\nCrashes when I open the camera."
    assert (v.score, v.scale, v.response_id) == (2.0, "stars5", "gp:AOqpTO0001")
    assert v.given_at == "2026-09-21T14:14:20+00:00"
    assert v.meta == {"app": APP, "app_version": "4.1.2", "language": "de", "device": "a54x"}


def test_a_second_import_of_the_same_report_adds_nothing(
    tmp_path: Path, pipeline: Pipeline, store: Store
) -> None:
    """Each review is keyed by its review id: importing the month again stores nothing twice."""
    path = report(tmp_path, [review(n, 1 + n % 5, f"Review number {n}, fine.") for n in range(40)])
    first, second = ingest(pipeline, path), ingest(pipeline, path)
    assert (first.added, second.added, second.duplicates) == (40, 0, 40)
    assert store.count() == 40


def test_ratings_without_text_are_counted_as_empty(
    tmp_path: Path, pipeline: Pipeline, store: Store
) -> None:
    """A star rating alone is a review without a comment: counted empty, not stored."""
    rows = [review(1, 5, ""), review(2, 1, "  "), review(3, 4, "Nice widgets.")]
    result = ingest(pipeline, report(tmp_path, rows))
    assert (result.read, result.empty, result.added) == (3, 2, 1)


def test_a_developer_reply_is_not_the_customers_comment(tmp_path: Path) -> None:
    """The reply is the team's words: never the comment, never metadata, even alone on a row."""
    rows = [review(1, 1, "Lost all my data.", reply=REPLY), review(2, 3, "", reply=REPLY)]
    found = verbatims(report(tmp_path, rows))
    assert [v.text for v in found] == ["Lost all my data."]
    assert REPLY not in " ".join(found[0].meta.values())


def test_an_edited_review_keeps_its_key(tmp_path: Path, pipeline: Pipeline, store: Store) -> None:
    """A later report with the review edited (new text, stars, last update) updates it, once."""
    ingest(pipeline, report(tmp_path, [review(7, 1, "Will not sync.")], month="202610"))
    edited = review(7, 4, "Syncs since the update, thanks.", edited=86_400_000)
    again = ingest(pipeline, report(tmp_path, [edited], month="202611"))
    assert (again.added, again.updated) == (0, 1)
    assert store.count() == 1


def test_without_a_link_the_key_is_app_and_submit_time(tmp_path: Path) -> None:
    """No Review Link (older reports): app + submit millis, not the last update an edit moves."""
    before = verbatims(report(tmp_path, [review(3, 2, "Slow.", link=False)]))
    after = verbatims(report(tmp_path, [review(3, 3, "Faster now.", link=False, edited=9_000)]))
    assert before[0].response_id == after[0].response_id == f"{APP}/1790000180000"
    assert before[0].key == after[0].key


def test_an_old_console_link_and_an_older_layout(tmp_path: Path) -> None:
    """A report without Device, Reviewer Language or the date text, and the old console's link
    (`#ReviewDetailsPlace:…&reviewid=…`): still detected, dated from the millis."""
    columns = [c for c in COLUMNS if c not in ("Device", "Reviewer Language")]
    columns.remove("Review Submit Date and Time")
    row = review(5, 5, "Great app")
    row["Review Link"] = (
        f"https://play.google.com/apps/publish?account=9#ReviewDetailsPlace:p={APP}&reviewid=gp:AOqpOLD"
    )
    [v] = verbatims(report(tmp_path, [row], columns))
    assert (v.response_id, v.given_at) == ("gp:AOqpOLD", "2026-09-21T14:18:20+00:00")
    assert v.meta == {"app": APP, "app_version": "4.1.2"}


def test_bad_rows_are_quarantined_and_the_rest_go_in(tmp_path: Path) -> None:
    """A star rating outside 1-5 and a row cut short are quarantined with their line."""
    path = report(tmp_path, [review(1, 9, "Odd stars"), review(2, 5, "Fine.")])
    text = path.read_bytes().decode("utf-16") + f"{APP},412,4.1.2\n"
    path.write_bytes(text.encode("utf-16"))
    rows = list(open_export(path, "play").rows)
    bad = [r for r in rows if isinstance(r, QuarantinedRow)]
    assert [(q.line, q.reason[:14]) for q in bad] == [(2, "score 9 is out"), (4, "row has 3 of t")]
    assert [v.text for v in rows if isinstance(v, Verbatim)] == ["Fine."]


def test_the_format_can_be_forced_and_is_refused_for_other_files(tmp_path: Path) -> None:
    """`--format google-play` reads a report, and says so when the file is not one."""
    assert (
        open_export(report(tmp_path, [review(1)]), "s", fmt="google-play").format == "google-play"
    )
    other = tmp_path / "nps.csv"
    other.write_text("Response ID,NPS,Comment\nr1,9,Fine\n")
    with pytest.raises(UnreadableFile, match="not a google-play export"):
        open_export(other, "s", fmt="google-play")
