"""`voc-ticker ingest` and `inspect` on each layout and decoding case, run in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from ticker.store import Store
from voc.cli import main

FIXTURES = ROOT / "tests" / "fixtures" / "exports"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def mixed(tmp_path: Path) -> Path:
    """A UTF-8 export of 1,000 comments, one line pasted in from cp1252, one already mojibake."""
    lines = [f"{i},Café n°{i}: très bien 😀,9\n".encode() for i in range(1000)]
    lines[10] = "10,Déçu – trop cher,3\n".encode("cp1252")
    lines[20] = "20,CafÃ© froid,4\n".encode()
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"id,comment,nps\n" + b"".join(lines))
    return path


@pytest.mark.parametrize(
    ("name", "added"),
    [
        ("alchemer_legacy.csv", 13),
        ("typeform_questions_above_first.csv", 2),
        ("two_header_rows_above_first.csv", 3),
        ("typeform_two_header_rows.csv", 2),
        ("alchemer.csv", 2),
    ],
)
def test_each_layout_imports_without_options_and_twice_adds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, added: int
) -> None:
    """No --text, --id or --format: the layout is read from the file; a second import adds 0."""
    db = str(tmp_path / "v.db")
    code, out, err = run(capsys, "ingest", str(FIXTURES / name), "--source", "s", "--db", db)
    assert code == 0, err
    assert f"added {added:,}," in out
    code, out, _ = run(capsys, "ingest", str(FIXTURES / name), "--source", "s", "--db", db)
    assert code == 0 and "added 0," in out and f"duplicates {added:,}," in out
    assert Store(db).count() == added


def test_ingest_counts_lines_decoded_in_a_fallback_and_repaired(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The summary says how many lines were read as cp1252 and how many were repaired."""
    db = str(tmp_path / "v.db")
    code, out, _ = run(capsys, "ingest", str(mixed(tmp_path)), "--source", "s", "--db", db)
    assert code == 0 and "mixed.csv: csv, utf-8;" in out
    assert "decoding: 1 line decoded as cp1252, 1 line repaired (mojibake)" in out
    assert "added 1,000," in out
    code, out, _ = run(capsys, "ingest", str(mixed(tmp_path)), "--source", "s", "--db", db)
    assert "added 0," in out


def test_inspect_shows_how_the_file_was_decoded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """inspect prints the same counts, and nothing when every line decoded as detected."""
    code, out, _ = run(capsys, "inspect", str(mixed(tmp_path)))
    assert code == 0 and "format     csv, utf-8" in out
    assert "decoding   1 line decoded as cp1252, 1 line repaired (mojibake)" in out
    _, out, _ = run(capsys, "inspect", str(FIXTURES / "typeform.csv"))
    assert "decoding" not in out


def test_inspect_says_how_answers_without_ids_are_keyed(capsys: pytest.CaptureFixture[str]) -> None:
    """An Alchemer export without Response ID is keyed by when each response began."""
    code, out, _ = run(capsys, "inspect", str(FIXTURES / "alchemer_legacy.csv"))
    assert code == 0 and "format     alchemer, utf-8" in out
    assert "id         a hash of when the response began (Time Started)" in out


@pytest.mark.parametrize("command", ["ingest", "inspect"])
def test_a_binary_file_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """Random bytes without --encoding: one line saying it is no text export, exit status 1."""
    path = tmp_path / "export.csv"
    path.write_bytes(bytes(range(256)) * 8)
    extra = ["--source", "s", "--db", str(tmp_path / "v.db")] if command == "ingest" else []
    code, _, err = run(capsys, command, str(path), *extra)
    assert code == 1 and err.count("\n") == 1
    assert "is not a text export" in err and "utf-16" not in err


def test_no_comment_column_prints_the_exact_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ingest says in one line which column reads like comments and the --text to use; that
    option then imports the file."""
    path = tmp_path / "odd.csv"
    path.write_text(
        "Key,Plan,Voice of the customer\n"
        "1,Pro,The new dashboard is much faster than before\n"
        "2,Free,I could not find the export button anywhere\n"
        "3,Pro,Support answered within the hour thank you\n"
    )
    db = str(tmp_path / "v.db")
    code, _, err = run(capsys, "ingest", str(path), "--source", "s", "--db", db)
    assert code == 1 and err.count("\n") == 1
    assert err.rstrip().endswith("import with --text 'Voice of the customer'")
    code, _, err = run(capsys, "inspect", str(path))
    assert code == 1 and "--text 'Voice of the customer'" in err
    code, out, _ = run(
        capsys, "ingest", str(path), "--source", "s", "--db", db, "--text", "Voice of the customer"
    )
    assert code == 0 and "added 3," in out
