"""Export files: detection, encodings, quirks and bad input, each with a clear outcome."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.columns import Mapping, MappingError
from ingest.decode import UnreadableFile
from ingest.files import open_export
from ticker.records import Verbatim
from ticker.store import QuarantinedRow

HEADER = "Response ID,Date,NPS,Why did you give this score?,Region\n"


def write(
    tmp_path: Path, name: str, text: str, encoding: str = "utf-8", newline: str = "\n"
) -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def verbatims(path: Path, **kw: object) -> list[Verbatim]:
    return [r for r in open_export(path, "s", **kw).rows if isinstance(r, Verbatim)]  # type: ignore[arg-type]


def test_usual_headers_are_detected(tmp_path: Path) -> None:
    """'Why did you give this score?', 'NPS', 'Response ID' and 'Date' need no mapping."""
    path = write(tmp_path, "nps.csv", HEADER + "r1,2026-03-04 10:00,9,Great app,EMEA\n")
    export = open_export(path, "s")
    m = export.mapping
    assert (m.text, m.score, m.scale, m.id, m.date) == (
        "Why did you give this score?",
        "NPS",
        "nps",
        "Response ID",
        "Date",
    )
    [v] = list(export.rows)
    assert v == Verbatim(
        "s", "Great app", "r1", 9.0, "nps", "2026-03-04T10:00:00", {"Region": "EMEA"}
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    """UTF-8 with or without BOM, UTF-16 from Excel and cp1252 read the same."""
    path = write(tmp_path, "e.csv", HEADER + "r1,2026-03-04,10,Très bien – merci,EMEA\n", encoding)
    [v] = verbatims(path)
    assert v.text == "Très bien – merci"


def test_crlf_rows_with_lf_inside_cells(tmp_path: Path) -> None:
    """Excel's CRLF rows keep LF line breaks inside a quoted comment; lines are counted right."""
    rows_text = [
        'r1,2026-01-01,3,"first line\nsecond line",NA',
        "r2,2026-01-01,x,bad score,NA",
        "r3,,8,ok,NA",
    ]
    path = tmp_path / "c.csv"
    path.write_bytes("\r\n".join([HEADER.strip(), *rows_text, ""]).encode())
    rows = list(open_export(path, "s").rows)
    assert isinstance(rows[0], Verbatim) and rows[0].text == "first line\nsecond line"
    assert isinstance(rows[1], QuarantinedRow) and rows[1].line == 4


def test_a_ten_megabyte_comment_is_stored_whole(tmp_path: Path) -> None:
    """A huge field is not cut: the stored text is the customer's words, all of them."""
    big = "slow " * 2_000_000
    path = write(
        tmp_path, "big.csv", HEADER + f'r1,2026-01-01,2,"{big}",NA\nr2,2026-01-01,9,ok,NA\n'
    )
    rows = verbatims(path)
    assert len(rows[0].text) == len(big) and rows[1].text == "ok"


def test_bad_rows_are_quarantined_and_the_rest_goes_in(tmp_path: Path) -> None:
    """A score that is not a number, an out-of-range score and a shifted row are quarantined."""
    text = (
        HEADER
        + "r1,2026-01-01,abc,one,NA\nr2,2026-01-01,11,two,NA\nr3,2026-01-01,5,three,NA,extra\nr4,,7,four,NA\n"
    )
    rows = list(open_export(write(tmp_path, "q.csv", text), "s").rows)
    bad = [r for r in rows if isinstance(r, QuarantinedRow)]
    assert [(q.line, q.reason.split(" ")[0]) for q in bad] == [
        (2, "score"),
        (3, "score"),
        (4, "row"),
    ]
    assert "outside the nps scale" in bad[1].reason
    assert [r.text for r in rows if isinstance(r, Verbatim)] == ["four"]


def test_unreadable_dates_keep_the_comment(tmp_path: Path) -> None:
    """A date that cannot be read is kept in metadata; the comment still goes in."""
    [v] = verbatims(write(tmp_path, "d.csv", HEADER + "r1,last tuesday,9,Nice,NA\n"))
    assert v.given_at is None and v.meta["given_at_unreadable"] == "last tuesday"


def test_us_and_european_slashed_dates(tmp_path: Path) -> None:
    """11/14/2026 is US; 14/11/2026 can only be European; an option settles 03/04/2026."""
    text = "id,date,comment\n1,11/14/2026,a\n2,14/11/2026 9:05 PM,b\n3,03/04/2026,c\n"
    path = write(tmp_path, "d.csv", text)
    assert [v.given_at for v in verbatims(path)] == [
        "2026-11-14T00:00:00",
        "2026-11-14T21:05:00",
        "2026-03-04T00:00:00",
    ]
    assert verbatims(path, asked=Mapping(date_order="dmy"))[2].given_at == "2026-04-03T00:00:00"


def test_jsonl_lines_that_are_not_json_are_quarantined(tmp_path: Path) -> None:
    """A broken line is quarantined with its line number; the others go in."""
    lines = [
        json.dumps({"id": "1", "comment": "good"}),
        "{not json",
        "[1, 2]",
        json.dumps({"id": "2", "comment": "fine"}),
    ]
    rows = list(open_export(write(tmp_path, "x.jsonl", "\n".join(lines)), "s").rows)
    bad = [r for r in rows if isinstance(r, QuarantinedRow)]
    assert [(q.line, q.reason[:8]) for q in bad] == [(2, "not JSON"), (3, "a JSON l")]
    assert [r.text for r in rows if isinstance(r, Verbatim)] == ["good", "fine"]


def test_csv_without_a_text_column_says_what_it_found(tmp_path: Path) -> None:
    """No comment column: the error lists the columns and the option to use."""
    with pytest.raises(MappingError, match=r"no comment column.*a, b.*--text"):
        open_export(write(tmp_path, "n.csv", "a,b\n1,2\n"), "s")


def test_a_mapping_names_columns_detection_would_miss(tmp_path: Path) -> None:
    """Options or a mapping file choose the text, score and scale."""
    path = write(tmp_path, "m.csv", "k,body,stars_given\n1,meh,2\n")
    mapping = tmp_path / "map.toml"
    mapping.write_text('text = "body"\nscore = "stars_given"\nscale = "stars5"\nid = "k"\n')
    [v] = verbatims(path, asked=Mapping.from_file(mapping))
    assert (v.text, v.score, v.scale, v.response_id) == ("meh", 2.0, "stars5", "1")


def test_asking_for_a_missing_column_lists_the_real_ones(tmp_path: Path) -> None:
    """A wrong --text names the columns that exist."""
    with pytest.raises(MappingError, match="no column 'Comment'.*k, body"):
        open_export(write(tmp_path, "m.csv", "k,body\n1,meh\n"), "s", Mapping(text="Comment"))


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"\xef\xbb\xbf\r\n", "is empty"), (b"PK\x03\x04rest", "Excel .xlsx")],
)
def test_files_that_cannot_be_read_say_why(tmp_path: Path, content: bytes, message: str) -> None:
    """Empty files and spreadsheets get one clear sentence."""
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=message):
        open_export(path, "s")


def test_missing_file_and_folder_say_why(tmp_path: Path) -> None:
    """A wrong path is reported as such."""
    with pytest.raises(UnreadableFile, match="no such file"):
        open_export(tmp_path / "nope.csv", "s")
    with pytest.raises(UnreadableFile, match="is a folder"):
        open_export(tmp_path, "s")


def test_a_wrong_forced_encoding_says_where_and_what_to_do(tmp_path: Path) -> None:
    """Forcing utf-8 on a cp1252 file names the line and suggests detection."""
    path = write(tmp_path, "w.csv", HEADER + "r1,2026-01-01,9,Très bien,EMEA\n", "cp1252")
    with pytest.raises(UnreadableFile, match=r"not valid utf-8 .*line 2.*leave out"):
        open_export(path, "s", encoding="utf-8")


def test_nbsp_in_headers_is_treated_as_a_space(tmp_path: Path) -> None:
    """Exports that put non-breaking spaces in headers are still detected."""
    path = write(tmp_path, "n.csv", "Response\xa0ID,Your\xa0comment\nr1,Nice\n")
    [v] = verbatims(path)
    assert v.response_id == "r1" and v.text == "Nice"


def test_semicolon_separated_exports(tmp_path: Path) -> None:
    """European Excel writes semicolons; the delimiter is sniffed."""
    [v] = verbatims(write(tmp_path, "s.csv", "id;comment;score\n1;Sehr gut, danke;5\n"))
    assert v.text == "Sehr gut, danke" and v.score == 5


def test_a_row_cut_short_before_the_comment_is_quarantined(tmp_path: Path) -> None:
    """A line break outside quotes splits a row: the stub without a comment cell is not lost."""
    path = write(
        tmp_path,
        "cut.csv",
        HEADER + "r1,2026-01-01,3,first line\nsecond line,NA\nr2,2026-01-01,9,fine,NA\n",
    )
    rows = list(open_export(path, "s").rows)
    assert [type(r).__name__ for r in rows] == ["Verbatim", "QuarantinedRow", "Verbatim"]
    assert isinstance(rows[1], QuarantinedRow) and "second line" in rows[1].raw


def test_a_jsonl_key_that_first_appears_late_is_kept(tmp_path: Path) -> None:
    """Exports that leave out empty keys still get every column, however late it appears."""
    lines = [json.dumps({"id": i, "comment": f"c{i}"}) for i in range(600)]
    lines.append(json.dumps({"id": 600, "comment": "late", "region": "EMEA"}))
    rows = verbatims(write(tmp_path, "late.jsonl", "\n".join(lines)))
    assert rows[-1].meta == {"region": "EMEA"}


@pytest.mark.parametrize(
    "bad", ['{"id": 1, "comment": "x", "nps": ' + "9" * 5000 + "}", "[" * 5000]
)
def test_a_row_python_cannot_read_is_quarantined_not_fatal(tmp_path: Path, bad: str) -> None:
    """A 5,000-digit number or absurd nesting quarantines its row; the rest goes in."""
    path = write(tmp_path, "odd.jsonl", bad + "\n" + json.dumps({"id": 2, "comment": "fine"}))
    rows = list(open_export(path, "s").rows)
    assert isinstance(rows[0], QuarantinedRow) and isinstance(rows[1], Verbatim)


def test_a_huge_score_is_quarantined(tmp_path: Path) -> None:
    """A score too big for a float is the row's problem, not the file's."""
    lines = [json.dumps({"id": i, "comment": "ok", "nps": 9}) for i in range(5)]
    lines.append(json.dumps({"id": 9, "comment": "x", "nps": 10**400}))
    rows = list(open_export(write(tmp_path, "big.jsonl", "\n".join(lines)), "s").rows)
    assert [type(r).__name__ for r in rows] == ["Verbatim"] * 5 + ["QuarantinedRow"]
