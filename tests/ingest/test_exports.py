"""Alchemer, Google Forms and Typeform exports as downloaded, quirks included."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.columns import Mapping, MappingError
from ingest.dates import parse_date
from ingest.decode import UnreadableFile
from ingest.files import open_export
from tests.conftest import ROOT
from ticker.records import Verbatim

FIXTURES = ROOT / "tests" / "fixtures" / "exports"
SUBMITTED, STAGED = "2021-03-15T12:02:03+00:00", "2021-03-16T08:44:10+00:00"


def verbatims(path: Path, fmt: str | None = None) -> list[Verbatim]:
    return [r for r in open_export(path, "s", fmt=fmt).rows if isinstance(r, Verbatim)]


def test_alchemer_with_bom_nbsp_headers_and_a_line_break_in_a_cell() -> None:
    """Complete and Partial responses are taken, Disqualified ones not; the NPS question is the
    score; browser, IP, location and the respondent's email never reach the metadata."""
    export = open_export(FIXTURES / "alchemer.csv", "s")
    assert (export.format, export.encoding) == ("alchemer", "utf-8-sig")
    assert export.texts == ("What is the main reason for your score?",)  # NBSP cleaned
    found = verbatims(FIXTURES / "alchemer.csv")
    assert [(v.response_id, v.score, v.scale) for v in found] == [
        ("101/What is the main reason for your score?", 9.0, "nps"),
        ("102/What is the main reason for your score?", 3.0, "nps"),
    ]
    first = found[0]
    assert first.text == "Fast support,\nfriendly staff. Ticket closed in an hour!"
    assert first.given_at == "2024-03-15T08:05:40"
    assert first.meta["Status"] == "Complete" and first.meta["Country"] == "United States"
    assert found[1].meta["Status"] == "Partial"
    assert found[1].given_at == "2024-03-15T09:14:02"  # no Date Submitted: when it was started
    kept = " ".join(f"{k}={v}" for v in found for k, v in v.meta.items())
    for private in ("203.0.113.7", "Mozilla", "New York", "10001", "ana@example.com", "ref=mail"):
        assert private not in kept


def test_google_forms_download_with_its_zone() -> None:
    """`2024/12/22 1:02:03 PM GMT+8` is read as 05:02:03 UTC; quiz scores and emails are not
    kept; the checkbox question becomes metadata."""
    export = open_export(FIXTURES / "google_forms.csv", "s")
    assert export.format == "google-forms" and export.texts == ("Any other comments?",)
    found = verbatims(FIXTURES / "google_forms.csv")
    assert [(v.given_at, v.score, v.scale) for v in found] == [
        ("2024-12-22T03:49:31+00:00", 9.0, "nps"),
        ("2024-12-22T05:02:03+00:00", 4.0, "nps"),
    ]
    assert found[1].text == 'Too "expensive" and nobody called me back.'
    assert found[0].meta == {
        "What do you value most?": "Speed;Support",
        "question": "Any other comments?",
    }
    assert found[0].response_id is None  # Forms has no id: the key is comment, time and score


def test_google_sheets_download_in_utf16_with_its_locale_timestamp() -> None:
    """The Sheet's own timestamp style (no zone), a CSAT question found by its wording."""
    export = open_export(FIXTURES / "google_sheets_utf16.csv", "s")
    assert (export.format, export.encoding) == ("google-forms", "utf-16")
    found = verbatims(FIXTURES / "google_sheets_utf16.csv")
    assert [(v.text, v.given_at, v.score, v.scale) for v in found] == [
        ("Staff were lovely, café great", "2024-12-22T11:49:31", 5.0, "csat5"),
        ("Queue was far too long", "2024-12-23T09:45:10", 2.0, "csat5"),
        ("Clean, quick, friendly", "2024-12-23T18:05:00", 4.0, "csat5"),
    ]
    assert found[1].meta["Which store?"] == "Köln"


def test_typeform_csv_keeps_answered_partials_and_drops_the_network_id() -> None:
    """The comment question is found among name and email questions; `#` is the id; dates
    are UTC, a partial one's the time it stopped (Stage Date)."""
    found = verbatims(FIXTURES / "typeform.csv")
    assert [(v.response_id, v.score, v.given_at) for v in found] == [
        ("k3x9q0w1m2n8b7v6c5z4a3s2d1f0g9h8/What could we do better?", 9.0, SUBMITTED),
        ("p8o7i6u5y4t3r2e1w0q9a8s7d6f5g4h3/What could we do better?", 3.0, STAGED),
    ]
    assert found[1].meta["Response Type"] == "partial"
    kept = " ".join(f"{k}={v}" for v in found for k, v in v.meta.items())
    assert "ana@example.com" not in kept and "Ana" not in kept and "5f57f20d14" not in kept


def test_typeform_csv_with_a_second_header_row_naming_the_choices() -> None:
    """Two columns titled alike are told apart by the second header row, which is no response."""
    export = open_export(FIXTURES / "typeform_two_header_rows.csv", "s")
    assert export.format == "typeform" and len(export.records) == 2
    found = verbatims(FIXTURES / "typeform_two_header_rows.csv")
    assert found[0].meta["What do you value most? - Speed"] == "Speed"
    assert found[1].meta["What do you value most? - Price"] == "Price"
    assert [v.score for v in found] == [10.0, 6.0]


def test_cp1252_and_crlf_alchemer_export(tmp_path: Path) -> None:
    """An export saved by Excel in Windows-1252 with CRLF rows still reads."""
    text = (FIXTURES / "alchemer.csv").read_bytes().decode("utf-8-sig")
    text = text.replace("Fast support", "Très bien, café").replace("\r\n", "\n")
    path = tmp_path / "alchemer-excel.csv"
    path.write_bytes(text.replace("\n", "\r\n").encode("cp1252", "replace"))
    export = open_export(path, "s")
    assert (export.format, export.encoding) == ("alchemer", "cp1252")
    assert verbatims(path)[0].text.startswith("Très bien, café")


def test_forcing_the_wrong_format_says_what_was_found() -> None:
    """`--format alchemer` on a Typeform file: a clear refusal, not a wrong import."""
    with pytest.raises(UnreadableFile, match="not a alchemer export"):
        open_export(FIXTURES / "typeform.csv", "s", fmt="alchemer")


def test_a_survey_export_without_wordy_answers_asks_for_the_text_column(tmp_path: Path) -> None:
    """No open-text question can be found: the error lists the columns; --text picks one."""
    path = tmp_path / "form.csv"
    path.write_text(
        "Timestamp,Rating,Plan\n2024/12/22 11:49:31 AM GMT+8,5,Pro\n2024/12/22 11:50:00 AM GMT+8,4,Pro\n"
    )
    with pytest.raises(MappingError, match="no open-text question found.*Rating, Plan"):
        open_export(path, "s")
    export = open_export(path, "s", Mapping(text="Plan"))
    assert [r.text for r in export.rows if isinstance(r, Verbatim)] == ["Pro", "Pro"]


def test_a_table_with_a_timestamp_column_is_not_taken_for_google_forms(tmp_path: Path) -> None:
    """`Timestamp` first but ISO times and a ticket id: a plain CSV keyed by its ids."""
    path = tmp_path / "tickets.csv"
    path.write_text(
        "Timestamp,Ticket ID,Comment,Rating\n"
        "2026-11-01T10:00:00Z,T-1001,Slow answer again,2\n"
        "2026-11-01T11:00:00Z,T-1002,Slow answer again,2\n"
    )
    export = open_export(path, "s")
    assert export.format == "csv"
    assert [v.response_id for v in verbatims(path)] == ["T-1001", "T-1002"]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("2024/12/22 1:02:03 PM GMT+8", "2024-12-22T05:02:03+00:00"),
        ("2024/12/22 1:02:03 pm gmt+8", "2024-12-22T05:02:03+00:00"),
        ("2024/12/22 12:02:03 AM GMT", "2024-12-22T00:02:03+00:00"),
        ("2026/10/04 10:15:00 AM GMT+5:30", "2026-10-04T04:45:00+00:00"),
        ("2021/03/15 1:02:03 PM UTC\u22124", "2021-03-15T17:02:03+00:00"),
        ("2024/12/22 午後 1:02:03 GMT+9", "2024-12-22T04:02:03+00:00"),
        ("2024-03-15 08:02:11 EST", "2024-03-15T13:02:11+00:00"),
        ("2022/06/22 11:07:29 AM AST", "2022-06-22T11:07:29"),  # ambiguous zone: local time
        ("12/22/2024 13:02:03", "2024-12-22T13:02:03"),
        ("22.12.2024 13:02:03", "2024-12-22T13:02:03"),
    ],
)
def test_timestamp_styles_of_the_exports(written: str, read: str) -> None:
    """Forms' own download (zones, lower case, Japanese), Alchemer's, Sheets' locale styles."""
    assert parse_date(written) == read
