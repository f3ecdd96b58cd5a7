"""Decoding that never throws a file away: stray bytes fall back per line, mojibake is repaired,
binary files are refused in one sentence."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from ingest.decode import UnreadableFile, read_export
from ingest.files import open_export
from ticker.records import Verbatim

HEADER = "id,comment,nps\n"


def comments(path: Path) -> list[Verbatim]:
    return [r for r in open_export(path, "s").rows if isinstance(r, Verbatim)]


def utf8_export_with_one_cp1252_line(tmp_path: Path, rows: int = 1000) -> Path:
    """A UTF-8 export, accents and emoji on every line, one line pasted in from cp1252."""
    lines = [f"{i},Café n°{i}: très bien 😀,9\n".encode() for i in range(rows)]
    lines[500] = "500,Crème brûlée froide – déçu,3\n".encode("cp1252")
    path = tmp_path / "mixed.csv"
    path.write_bytes(HEADER.encode() + b"".join(lines))
    return path


def test_one_cp1252_line_does_not_make_a_utf8_file_a_code_page(tmp_path: Path) -> None:
    """The file stays UTF-8; the stray line is read as cp1252, kept, marked and counted."""
    export = open_export(utf8_export_with_one_cp1252_line(tmp_path), "s")
    assert export.encoding == "utf-8"
    assert export.decoding.summary() == "1 line decoded as cp1252"
    found = [r for r in export.rows if isinstance(r, Verbatim)]
    assert len(found) == 1000
    assert found[500].text == "Crème brûlée froide – déçu"
    assert found[500].meta == {"decoded_as": "cp1252"}
    assert found[1].text == "Café n°1: très bien 😀" and found[1].meta == {}
    assert all("Ã" not in v.text and "ð" not in v.text for v in found)


def test_a_line_mixing_utf8_and_a_stray_byte_keeps_its_utf8(tmp_path: Path) -> None:
    """Only the bytes UTF-8 cannot read fall back: the line's valid UTF-8 stays as it was."""
    path = tmp_path / "m.csv"
    utf8 = "1,Très bien,9\n2,Déçu,3\n3,Grüße ".encode()
    path.write_bytes(HEADER.encode() + utf8 + b"\x96 caf\xe9,9\n")
    *_, v = comments(path)
    assert v.text == "Grüße – café" and v.meta == {"decoded_as": "cp1252"}


def test_mostly_cp1252_with_bytes_cp1252_leaves_undefined_imports(tmp_path: Path) -> None:
    """0x81, 0x8D, 0x8F, 0x90, 0x9D (from a DOS code page) fall back to Latin-1 on their
    lines; the other lines are cp1252, curly quotes and all."""
    rows = [
        "1,“Très bien” – merci,9\n".encode("cp1252"),
        b"2,caf\xe9 \x81ber \x8d\x8f\x90\x9d,4\n",
        "3,Déçu… encore,2\n".encode("cp1252"),
        b"4,\x81 alone,5\n",
    ]
    path = tmp_path / "dos.csv"
    path.write_bytes(HEADER.encode() + b"".join(rows))
    export = open_export(path, "s")
    assert export.encoding == "cp1252"
    assert export.decoding.summary() == "2 lines decoded as Latin-1"
    found = [r for r in export.rows if isinstance(r, Verbatim)]
    assert [v.text for v in found] == [
        "“Très bien” – merci",
        "café \x81ber \x8d\x8f\x90\x9d",
        "Déçu… encore",
        "\x81 alone",
    ]
    assert [v.meta.get("decoded_as") for v in found] == [None, "latin-1", None, "latin-1"]


def test_a_comment_spanning_lines_is_marked_when_any_of_its_lines_fell_back(
    tmp_path: Path,
) -> None:
    """A quoted comment with a line break is one row: a stray byte on its second line marks it."""
    path = tmp_path / "q.csv"
    path.write_bytes(HEADER.encode() + '1,"Première ligne\nseconde '.encode() + b'\xe9t\xe9",9\n')
    [v] = comments(path)
    assert v.text == "Première ligne\nseconde été" and v.meta["decoded_as"] == "cp1252"


def test_json_lines_fall_back_per_line_too(tmp_path: Path) -> None:
    """A JSON Lines export with one cp1252 line keeps its other lines' UTF-8."""
    path = tmp_path / "x.jsonl"
    path.write_bytes(
        '{"id": 1, "comment": "Très bien 😀"}\n'.encode()
        + '{"id": 2, "comment": "Déçu"}\n'.encode("cp1252")
    )
    export = open_export(path, "s")
    found = [r for r in export.rows if isinstance(r, Verbatim)]
    assert [(v.text, v.meta) for v in found] == [
        ("Très bien 😀", {}),
        ("Déçu", {"decoded_as": "cp1252"}),
    ]
    assert export.decoding.summary() == "1 line decoded as cp1252"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("CafÃ© was great", "Café was great"),
        ("ðŸ˜€ thanks!", "😀 thanks!"),
        ("dÃ©jÃ  vu, GrÃ¶ÃŸe passt", "déjà vu, Größe passt"),
        ("â€œSlowâ€\x9d delivery", "“Slow” delivery"),
        ("Ð¿Ñ€Ð¸Ð²ÐµÑ‚", "привет"),
    ],
)
def test_mojibake_in_the_export_is_repaired_and_recorded(
    tmp_path: Path, written: str, read: str
) -> None:
    """Text that was mojibake when exported is repaired with ftfy, and says so."""
    path = tmp_path / "m.csv"
    path.write_text(HEADER + f'1,"{written}",9\n2,Fine as it is,8\n', encoding="utf-8")
    export = open_export(path, "s")
    first, second = [r for r in export.rows if isinstance(r, Verbatim)]
    assert first.text == read and first.meta == {"repaired": "mojibake"}
    assert second.meta == {}
    assert export.decoding.summary() == "1 line repaired (mojibake)"


@pytest.mark.parametrize(
    "text",
    [
        "Très bien – merci, à bientôt",
        "Größe passt, Straße gesperrt, Grüße aus Köln",
        "Não, obrigado. ¿Qué tal? Mañana, señor",
        "Love it 😀🎉👍🏽, 10/10",
        "日本語のコメントです。ありがとう",
        "Ω≈ç√∫ and ½ price ±5 °C",
        "NÃO É BOM, IRMÃ E MÃE",
        "¯\\_(ツ)_/¯ whatever",
        "Zoë’s café “quoted” — dashes…",
        "Ångström, Øresund, Ærø",
    ],
)
def test_text_that_is_not_mojibake_is_never_rewritten(tmp_path: Path, text: str) -> None:
    """Real accented, emoji, CJK and merely odd text is left exactly as the customer wrote it."""
    path = tmp_path / "ok.csv"
    path.write_text(HEADER + f'1,"{text}",9\n', encoding="utf-8")
    export = open_export(path, "s")
    [v] = [r for r in export.rows if isinstance(r, Verbatim)]
    assert v.text == text and v.meta == {} and export.decoding.summary() == ""


def _xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (_xlsx(), "Excel .xlsx"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG image"),
        (os.urandom(4096), "binary data"),
        (bytes(range(256)) * 16, "binary data"),
        (b"\x00\x00\x01\x00" * 512, "binary data"),  # NUL-heavy, yet no UTF-16
    ],
)
def test_a_binary_file_is_not_a_text_export(tmp_path: Path, content: bytes, said: str) -> None:
    """A zip, a workbook, an image or random bytes: refused, saying it is not a text export."""
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as caught:
        read_export(path)
    message = str(caught.value)
    assert "not a text export" in message and said in message
    assert "utf-16" not in message and "--encoding" not in message and "\n" not in message


def test_utf16_without_a_bom_is_still_read(tmp_path: Path) -> None:
    """Every other byte zero, on one side: UTF-16, not binary."""
    path = tmp_path / "u.csv"
    path.write_bytes((HEADER + "1,Grüße aus Köln,9\n").encode("utf-16-le"))
    export = open_export(path, "s")
    assert export.encoding == "utf-16-le"
    assert [v.text for v in export.rows if isinstance(v, Verbatim)] == ["Grüße aus Köln"]


def test_a_forced_encoding_stays_strict(tmp_path: Path) -> None:
    """--encoding utf-8 on a cp1252 line names the line; nothing falls back behind it."""
    path = tmp_path / "w.csv"
    path.write_bytes(HEADER.encode() + b"1,ok,9\n2,caf\xe9,9\n")
    with pytest.raises(UnreadableFile, match=r"not valid utf-8 \(byte 27, line 3\).*leave out"):
        open_export(path, "s", encoding="utf-8")


def test_json_lines_are_split_at_line_feeds_only(tmp_path: Path) -> None:
    """A JSON string may hold U+2028 or U+0085: the object is still one line, its line right."""
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"id": 1, "comment": "one\u2028two\u0085three"}\n{"id": 2, "comment": "fine"}\n'
    )
    rows = list(open_export(path, "s").records)
    assert [line for line, _ in rows] == [1, 2]
    assert [v.text for v in comments(path)] == ["one\u2028two\u0085three", "fine"]


def test_a_binary_file_is_refused_as_such_even_with_an_encoding(tmp_path: Path) -> None:
    """--encoding on random bytes still says it is no text export, not which byte is wrong."""
    path = tmp_path / "b.csv"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(UnreadableFile, match="not a text export"):
        read_export(path, "utf-8")
