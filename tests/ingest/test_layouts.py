"""Exports read from their own structure: Alchemer without ids, two header rows in each shape,
headers in six more languages, R/SPSS/Stata files, and a proposal when no comment is found."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.columns import MappingError
from ingest.files import open_export
from tests.conftest import ROOT
from ticker.records import Verbatim
from ticker.store import QuarantinedRow

FIXTURES = ROOT / "tests" / "fixtures" / "exports"
LEGACY = FIXTURES / "alchemer_legacy.csv"
IMPROVE = "What is the one thing we should improve?"


def verbatims(path: Path, **kw: object) -> list[Verbatim]:
    return [r for r in open_export(path, "s", **kw).rows if isinstance(r, Verbatim)]  # type: ignore[arg-type]


def test_alchemer_without_a_response_id_is_read_as_alchemer() -> None:
    """The older SurveyExport.csv layout (`Time Started`, `Date Submitted`, `Status`, no id):
    headers cleaned of NBSP and trailing spaces, the open questions and a list's boxes found,
    ticked words and choices kept as metadata, the disqualified response skipped."""
    export = open_export(LEGACY, "s")
    assert export.format == "alchemer" and export.keyed_by is None
    assert export.texts == (
        "What, if anything, would make you shop with us more often?",
        "Aspect #1:What do you like most about our stores?",
        "Aspect #2:What do you like most about our stores?",
        "Aspect #3:What do you like most about our stores?",
    )
    assert export.mapping.score == "How likely are you to recommend Northwind Grocers to a friend?"
    found = verbatims(LEGACY)
    assert "I only came for the prize draw" not in [v.text for v in found]
    first = found[0]
    assert (first.text, first.score, first.scale) == (
        "Longer opening hours on Sundays, please.",
        9.0,
        "nps",
    )
    assert first.given_at == "2025-02-03T08:26:02"
    assert first.meta["Which store do you visit most?"] == "Harbour Street"
    assert found[1].meta["question"] == "What do you like most about our stores?"
    assert "Select the words that describe us." in (export.mapping.meta or ())


def test_alchemer_without_ids_is_keyed_by_the_responses_content() -> None:
    """Every answer gets a key from when its response began, its question and its words: the
    same on every import, different for two people who started in the same second."""
    keys = [v.response_id for v in verbatims(LEGACY)]
    assert all(k and k.startswith("content-") for k in keys)
    assert len(set(keys)) == len(keys) == 13
    assert keys == [v.response_id for v in verbatims(LEGACY)]
    same_second = [v for v in verbatims(LEGACY) if v.meta["Time Started"] == "2025-02-03 09:02:17"]
    assert len({v.key for v in same_second}) == len(same_second) == 5


def test_a_later_alchemer_export_keeps_the_keys_of_what_was_there(tmp_path: Path) -> None:
    """A newer export of the same survey (a partial since completed, a response added) keys
    the answers it shares with the older one alike: importing it adds only what is new."""
    text = LEGACY.read_text(encoding="utf-8")
    newer = text.replace(
        '"2025-02-04 17:45:00","2025-02-04 17:49:12","Partial","5","",',
        '"2025-02-04 17:45:00","2025-02-04 17:58:40","Complete","5","Bigger trolleys",',
    )
    newer += '"2025-02-05 07:00:00","2025-02-05 07:02:00","Complete","8","More tills","","","","","","","","3"\n'
    path = tmp_path / "SurveyExport.csv"
    path.write_text(newer, encoding="utf-8")
    old = {v.key for v in verbatims(LEGACY)}
    new = {v.key: v.text for v in verbatims(path)}
    assert old <= set(new)
    assert sorted(new[k] for k in set(new) - old) == ["Bigger trolleys", "More tills"]


def test_typeform_with_questions_above_the_first_choice_only() -> None:
    """Row one holds a group's question above its first choice only (blank above `#`, the line
    ending in a comma); row two holds `#`, the choices and the stand-alone questions."""
    path = FIXTURES / "typeform_questions_above_first.csv"
    export = open_export(path, "s")
    assert export.format == "typeform" and export.texts == (IMPROVE,)
    found = verbatims(path)
    assert [(v.response_id, v.score) for v in found] == [
        (f"a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6/{IMPROVE}", 9.0),
        (f"f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1/{IMPROVE}", 3.0),
    ]
    assert found[0].given_at == "2025-03-10T09:03:12+00:00"
    assert found[1].meta == {
        "Which of these tools do you use with us? - Calendar": "Calendar",
        "Which of these tools do you use with us? - Other": "Jira",
        "question": IMPROVE,
    }


def test_two_header_rows_from_an_unknown_tool_are_read_as_a_survey() -> None:
    """The same shape without a platform's columns: `#` that only numbers the rows is no id,
    so each answer is keyed by the response's answers; choices become metadata."""
    path = FIXTURES / "two_header_rows_above_first.csv"
    export = open_export(path, "s")
    assert export.format == "survey-csv" and export.texts == ("What could we do better?",)
    found = verbatims(path)
    assert [v.score for v in found] == [9.0, 4.0, 8.0]
    assert found[0].meta["What do you value most? - Speed"] == "Speed"
    assert all(v.response_id and v.response_id.startswith("content-") for v in found)


def test_row_numbers_do_not_key_the_answers(tmp_path: Path) -> None:
    """A filtered re-export numbers its rows anew: the answers keep their keys."""
    path = FIXTURES / "two_header_rows_above_first.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    renumbered = tmp_path / "filtered.csv"
    renumbered.write_text("".join([*lines[:2], "1" + lines[3][1:], "2" + lines[5][1:]]))
    keys = {v.text: v.key for v in verbatims(path)}
    again = {v.text: v.key for v in verbatims(renumbered)}
    assert again == {t: keys[t] for t in again} and len(again) == 2


def test_two_header_rows_with_the_question_above_each_group(tmp_path: Path) -> None:
    """The question above its group's first column and `Response` under a single column
    (SurveyMonkey's CSV): the id, the choices and the open question are read."""
    path = tmp_path / "sm.csv"
    path.write_text(
        "Respondent ID,Start Date,End Date,IP Address,Email Address,"
        "How likely is it that you would recommend us?,Which channels did you use?,,,"
        "Why did you give that score?\n"
        ",,,,,Response,Phone,Chat,Other (please specify),Open-Ended Response\n"
        "114001,03/01/2025 09:00:00,03/01/2025 09:04:00,203.0.113.9,ana@example.com,3,Phone,,,"
        '"On hold for forty minutes, twice."\n'
        "114002,03/01/2025 10:00:00,03/01/2025 10:02:00,203.0.113.8,bo@example.com,10,,Chat,Forum,"
        '"The chat agent fixed it in minutes."\n'
    )
    export = open_export(path, "s")
    assert export.format == "survey-csv" and export.texts == ("Why did you give that score?",)
    found = verbatims(path)
    assert [(v.response_id, v.score, v.given_at) for v in found] == [
        ("114001/Why did you give that score?", 3.0, "2025-03-01T09:04:00"),
        ("114002/Why did you give that score?", 10.0, "2025-03-01T10:02:00"),
    ]
    assert found[1].meta["Which channels did you use? - Chat"] == "Chat"
    kept = " ".join(f"{k}={v}" for v in found for k, v in v.meta.items())
    assert "203.0.113" not in kept and "example.com" not in kept


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        (
            "Identifiant,Date,Note,Pourquoi cette note ?",
            "r1,2025-01-02,9,Très bien",
            ("Pourquoi cette note ?", "Note", "nps", "Identifiant", "Date"),
        ),
        (
            "Antwort-ID,Datum,Wie wahrscheinlich würden Sie uns weiterempfehlen?,Begründung",
            "r1,2025-01-02,9,Sehr gut",
            (
                "Begründung",
                "Wie wahrscheinlich würden Sie uns weiterempfehlen?",
                "nps",
                "Antwort-ID",
                "Datum",
            ),
        ),
        (
            "ID,Fecha,Satisfacción,Comentarios",
            "r1,2025-01-02,4,Muy bien",
            ("Comentarios", "Satisfacción", "csat5", "ID", "Fecha"),
        ),
        (
            "ID,Data,Nota,Observações",
            "r1,2025-01-02,8,Muito bom",
            ("Observações", "Nota", "nps", "ID", "Data"),
        ),
        (
            "ID,Data,Stelle,Perché?",
            "r1,02/01/2025,4,Molto bene",
            ("Perché?", "Stelle", "stars5", "ID", "Data"),
        ),
        (
            "ID,Datum,Cijfer,Opmerkingen",
            "r1,2025-01-02,8,Prima",
            ("Opmerkingen", "Cijfer", "nps", "ID", "Datum"),
        ),
        (
            "ID,Zeitstempel,Bewertung,Ihre Verbesserungsvorschläge",
            "r1,2025-01-02,2,Schneller liefern",
            ("Ihre Verbesserungsvorschläge", "Bewertung", "csat5", "ID", "Zeitstempel"),
        ),
    ],
)
def test_headers_in_other_languages_are_detected(
    tmp_path: Path, header: str, row: str, expected: tuple[str, ...]
) -> None:
    """French, German, Spanish, Portuguese, Italian and Dutch words for comment, reason, why,
    remark, suggestion; score, rating, recommend; id; date; accents and compounds included."""
    path = tmp_path / "l.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    m = open_export(path, "s").mapping
    assert (m.text, m.score, m.scale, m.id, m.date) == expected


def test_a_portuguese_data_column_of_no_dates_is_no_date(tmp_path: Path) -> None:
    """`data` is a date only when it holds dates: an English `Data` column stays metadata."""
    path = tmp_path / "d.csv"
    path.write_text("id,Data,comment\n1,raw,Fine\n")
    m = open_export(path, "s").mapping
    assert m.date is None and "Data" in (m.meta or ())


def test_google_forms_in_another_language(tmp_path: Path) -> None:
    """A French form names its first column `Horodateur`; its questions are found by wording."""
    text = (FIXTURES / "google_forms.csv").read_text(encoding="utf-8")
    text = text.replace('"Timestamp"', '"Horodateur"', 1)
    text = text.replace("Any other comments?", "Avez-vous d'autres remarques ?")
    path = tmp_path / "formulaire.csv"
    path.write_text(text, encoding="utf-8")
    export = open_export(path, "s")
    assert export.format == "google-forms"
    assert export.texts == ("Avez-vous d'autres remarques ?",)


def test_r_spss_and_stata_files_read_missing_values_as_missing(tmp_path: Path) -> None:
    """A blank first header (R's row names), and NA, N/A, NULL, `.` or nothing for a missing
    value: a missing score is no score, a missing comment no comment, none is quarantined."""
    path = tmp_path / "r.csv"
    path.write_text(
        '"","id","nps","comment","region","date"\n'
        '"1","a1",NA,"Good value","EMEA",NA\n'
        '"2","a2","N/A","Slow delivery",NA,"2025-01-02"\n'
        '"3","a3","NULL","Helpful staff",".",""\n'
        '"4","a4",".",NA,"EMEA","2025-01-03"\n'
        '"5","a5","","Fine","EMEA","2025-01-04"\n'
        '"6","a6",3,"Broken on arrival","APAC","2025-01-05"\n'
    )
    rows = list(open_export(path, "s").rows)
    assert not [r for r in rows if isinstance(r, QuarantinedRow)]
    found = [r for r in rows if isinstance(r, Verbatim)]
    assert [(v.text, v.score) for v in found] == [
        ("Good value", None),
        ("Slow delivery", None),
        ("Helpful staff", None),
        ("Fine", None),
        ("Broken on arrival", 3.0),
    ]
    assert found[0].meta == {"region": "EMEA"} and found[0].given_at is None
    assert found[1].meta == {} and found[2].meta == {}
    assert all("" not in v.meta for v in found)  # R's row numbers are no metadata


def test_a_customers_own_na_is_kept_as_their_words(tmp_path: Path) -> None:
    """`n/a` typed by a customer is a comment (tagged noise); R's bare NA is no comment."""
    path = tmp_path / "n.csv"
    path.write_text("id,comment\n1,n/a\n2,NA\n3,.\n")
    assert [v.text for v in verbatims(path)] == ["n/a", "."]


def test_no_comment_column_proposes_the_most_comment_like(tmp_path: Path) -> None:
    """Headers that say nothing: the error names the columns answered like comments, best
    first, and the exact option to import with."""
    path = tmp_path / "odd.csv"
    rows = [
        ("1", "Pro", "The new dashboard is much faster than before", "4"),
        ("2", "Free", "I could not find the export button anywhere", "2"),
        ("3", "Pro", "Support answered within the hour, thank you", "5"),
        ("4", "Free", "Too many emails about features I never use", "3"),
    ]
    path.write_text(
        "Key,Plan,Kundenstimme zum Besuch,Sterne vergeben\n"
        + "".join(",".join(r) + "\n" for r in rows)
    )
    with pytest.raises(MappingError) as caught:
        open_export(path, "s")
    message = str(caught.value)
    assert "the most comment-like by their answers: 'Kundenstimme zum Besuch'" in message
    assert message.endswith("import with --text 'Kundenstimme zum Besuch'")
    assert "\n" not in message


def test_no_comment_like_column_still_says_how_to_name_one(tmp_path: Path) -> None:
    """Only numbers and codes: no proposal, the usual --text COLUMN advice."""
    path = tmp_path / "n.csv"
    path.write_text("a,b\n1,2\n3,4\n")
    with pytest.raises(MappingError, match=r"the columns are: a, b; name it with --text COLUMN"):
        open_export(path, "s")


def test_a_column_of_dates_is_never_the_comment(tmp_path: Path) -> None:
    """`Feedback date` says feedback but holds dates: the comment is the column of words."""
    path = tmp_path / "f.csv"
    path.write_text("id,Feedback date,Text\n1,2025-01-02,Parcel arrived crushed\n")
    m = open_export(path, "s").mapping
    assert (m.text, m.date) == ("Text", "Feedback date")
