"""Bytes to text: the encodings survey exports really arrive in, detected, or a clear error."""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes


class UnreadableFile(Exception):
    """The file cannot be read at all; the message says what is wrong and what to do."""


_BINARY = {
    b"PK\x03\x04": "a zip archive or an Excel .xlsx workbook; export it as CSV (UTF-8) first",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook; export it as CSV (UTF-8) first",
    b"%PDF": "a PDF; export the survey responses as CSV or JSON Lines",
}


def read_text(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the encoding used; raises UnreadableFile with a fix in the message."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise UnreadableFile(f"{path} is a folder; give one export file") from None
    except PermissionError:
        raise UnreadableFile(f"{path}: permission denied; check the file's permissions") from None
    except OSError as exc:
        raise UnreadableFile(f"{path}: cannot read ({exc.strerror})") from None
    if not data.strip(b" \t\r\n\xef\xbb\xbf\xff\xfe\x00"):
        raise UnreadableFile(f"{path} is empty; export the responses again")
    for magic, what in _BINARY.items():
        if data.startswith(magic):
            raise UnreadableFile(f"{path} is {what}")
    if encoding:
        return _decode(path, data, encoding), encoding
    detected = detect(data)
    return _decode(path, data, detected), detected


def detect(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (Excel's 'Unicode text'), else the best guess.

    cp1252 is the fallback for Western exports from Windows Excel: it is what a guess between
    the single-byte codepages most often gets wrong, and it is what such files almost always are.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:4096]
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without a BOM: every other byte is 0
        return "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        best = from_bytes(data[:65536]).best()
        if best is not None and best.encoding in {
            "cp932",
            "shift_jis",
            "euc_jp",
            "gb18030",
            "big5",
            "euc_kr",
            "cp949",
        }:
            return best.encoding  # multibyte Asian exports decode as cp1252 garbage
        return "cp1252"
    except UnicodeDecodeError:
        best = from_bytes(data[:65536]).best()
        return best.encoding if best is not None else "latin-1"


def _decode(path: Path, data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except LookupError:
        raise UnreadableFile(
            f"unknown encoding {encoding!r}; use e.g. utf-8, utf-16 or cp1252"
        ) from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableFile(
            f"{path} is not valid {encoding} (byte {exc.start}, line {line}); leave out "
            "--encoding to detect it, or name the right one (utf-8, utf-16, cp1252)"
        ) from None
    return text.removeprefix("\ufeff")
