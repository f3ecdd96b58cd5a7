"""Bytes to text: the encodings survey exports really arrive in, detected, or a clear error.

The encoding is detected for the whole file, then bytes it cannot decode are read line by line
in a fallback (cp1252, then Latin-1, which decodes any byte) instead of refusing the file or
giving up UTF-8 for the lot: each such line is kept and remembered, so its comments can say
how they were read. Text that was already mojibake in the export is repaired (ingest/mojibake).
"""

from __future__ import annotations

import codecs
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from ingest.mojibake import repair

DECODED_AS, REPAIRED = "decoded_as", "repaired"  # metadata of comments read from such lines
_ASIAN = {"cp932", "shift_jis", "euc_jp", "gb18030", "big5", "euc_kr", "cp949"}
_FALLBACK = "voc-ticker-fallback"
_fallen = threading.local()  # where the handler below notes what it read, for one decode
_CONTROL = re.compile("[\x00-\x08\x0e-\x19\x1c-\x1f]")  # never in text; tab, CR, LF, ^Z are
_SAMPLE = 65536


class UnreadableFile(Exception):
    """The file cannot be read at all; the message says what is wrong and what to do."""


_BINARY = {
    b"PK\x03\x04": "a zip archive or an Excel .xlsx workbook; export it as CSV (UTF-8) first",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook; export it as CSV (UTF-8) first",
    b"%PDF": "a PDF; export the survey responses as CSV or JSON Lines",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive (an R .rds file?); unpack it or export CSV",
    b"7z\xbc\xaf": "a 7-Zip archive; unpack it first",
    b"Rar!": "a RAR archive; unpack it first",
    b"SQLite format 3\x00": "an SQLite database",
    b"$FL2": "an SPSS .sav data file; save it as CSV (File > Export > CSV Data)",
    b"$FL3": "an SPSS .sav data file; save it as CSV (File > Export > CSV Data)",
    b"<stata_dta>": "a Stata .dta data file; save it as CSV (export delimited)",
    b"PAR1": "a Parquet file",
}


def _fall_back(exc: UnicodeError) -> tuple[str, int]:
    """Bytes the file's encoding cannot decode, read as cp1252, else Latin-1; noted by offset."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    chars, used = _single_byte(exc.object[exc.start : exc.end], cp1252=_fallen.cp1252)
    _fallen.found.append((exc.start, used))
    return chars, exc.end


codecs.register_error(_FALLBACK, _fall_back)


@dataclass(frozen=True)
class Decoding:
    """How a file's bytes became text: its encoding, and the lines read otherwise."""

    encoding: str
    fallback: dict[int, str] = field(default_factory=dict)  # line -> encoding its bad bytes took
    repaired: frozenset[int] = frozenset()  # lines whose mojibake was repaired

    def marks(self, first: int, last: int) -> dict[str, str]:
        """The metadata for what was read from lines first..last (a row may span lines)."""
        if not self.fallback and not self.repaired:
            return {}
        lines = range(first, last + 1)
        found: dict[str, str] = {}
        used = {self.fallback[n] for n in lines if n in self.fallback}
        if used:
            found[DECODED_AS] = "latin-1" if "latin-1" in used else min(used)
        if any(n in self.repaired for n in lines):
            found[REPAIRED] = "mojibake"
        return found

    def summary(self) -> str:
        """'37 lines decoded as Latin-1, 2 lines repaired (mojibake)', or '' when none were."""
        said = [
            f"{count:,} line{'s' * (count != 1)} decoded as {_shown(name)}"
            for name, count in sorted(Counter(self.fallback.values()).items())
        ]
        if self.repaired:
            count = len(self.repaired)
            said.append(f"{count:,} line{'s' * (count != 1)} repaired (mojibake)")
        return ", ".join(said)


@dataclass(frozen=True)
class Decoded:
    """A file's text, and how it was decoded."""

    text: str
    decoding: Decoding


def read_text(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the encoding used; raises UnreadableFile with a fix in the message."""
    decoded = read_export(path, encoding)
    return decoded.text, decoded.decoding.encoding


def read_export(path: Path, encoding: str | None = None) -> Decoded:
    """The file's text, decoded as well as its bytes allow; raises UnreadableFile with a fix.

    A forced `encoding` is strict: a byte it cannot decode is an error naming it and its line.
    """
    data = _read_bytes(path)
    if not data.strip(b" \t\r\n\xef\xbb\xbf\xff\xfe\x00"):
        raise UnreadableFile(f"{path} is empty; export the responses again")
    for magic, what in _BINARY.items():
        if data.startswith(magic):
            fix = "" if ";" in what else "; export the responses as CSV (UTF-8) or JSON Lines"
            raise UnreadableFile(f"{path} is not a text export: it is {what}{fix}")
    used = encoding or detect(data)
    try:
        sample = data[:_SAMPLE].decode(used, "replace")
    except LookupError:
        raise UnreadableFile(
            f"unknown encoding {used!r}; use e.g. utf-8, utf-16 or cp1252"
        ) from None
    controls = len(_CONTROL.findall(sample))
    if controls >= 2 and controls > len(sample) / 100:
        raise UnreadableFile(
            f"{path} is not a text export (it holds binary data); export the responses as "
            "CSV (UTF-8) or JSON Lines"
        )
    try:
        text, fallback = _decode(data, used, strict=bool(encoding))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableFile(
            f"{path} is not valid {used} (byte {exc.start}, line {line}); leave out "
            "--encoding to detect it, or name the right one (utf-8, utf-16, cp1252)"
        ) from None
    text, repaired = repair(text.removeprefix("\ufeff"))
    return Decoded(text, Decoding(used, fallback, repaired))


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise UnreadableFile(f"{path} is a folder; give one export file") from None
    except PermissionError:
        raise UnreadableFile(f"{path}: permission denied; check the file's permissions") from None
    except OSError as exc:
        raise UnreadableFile(f"{path}: cannot read ({exc.strerror})") from None


def detect(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (Excel's 'Unicode text'), else the best guess.

    A file is UTF-8 when at least as many of its non-ASCII lines are valid UTF-8 as are not:
    a few stray bytes from another program are read in a fallback, not taken as proof that
    the whole file is a code page. cp1252 is the guess for the rest, Western exports from
    Windows Excel, unless the bytes look like a multibyte Asian encoding.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:4096]
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    if odd + even > len(sample) // 4 and min(odd, even) * 10 < max(odd, even):
        return "utf-16-le" if odd > even else "utf-16-be"  # every other byte is 0
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    good = bad = 0
    for line in data.split(b"\n"):
        if not line.isascii():
            try:
                line.decode("utf-8")
                good += 1
            except UnicodeDecodeError:
                bad += 1
    if good and good >= bad:
        return "utf-8"
    best = from_bytes(data[:_SAMPLE]).best()
    if best is not None and best.encoding in _ASIAN:
        return best.encoding  # multibyte Asian exports decode as cp1252 garbage
    return "cp1252"


def _decode(data: bytes, encoding: str, strict: bool) -> tuple[str, dict[int, str]]:
    """The text, and the lines whose undecodable bytes were read in a fallback (unless strict)."""
    try:
        return data.decode(encoding), {}
    except UnicodeDecodeError:
        if strict:
            raise
    _fallen.cp1252 = codecs.lookup(encoding).name != "cp1252"
    _fallen.found = []
    try:
        text = data.decode(encoding, _FALLBACK)
        found: list[tuple[int, str]] = _fallen.found
    finally:
        del _fallen.found
    newline = _newline(data, encoding)
    fallback: dict[int, str] = {}
    line, pos = 1, 0
    for start, used in found:
        line += data.count(newline, pos, start)
        pos = start
        if fallback.get(line) != "latin-1":
            fallback[line] = used
    return text, fallback


def _newline(data: bytes, encoding: str) -> bytes:
    """A line break in the file's bytes, to count lines by."""
    name = codecs.lookup(encoding).name
    if name == "utf-16":
        name = "utf-16-be" if data.startswith(codecs.BOM_UTF16_BE) else "utf-16-le"
    return "\n".encode(name) if name.startswith("utf-16") else b"\n"


def _single_byte(raw: bytes, cp1252: bool) -> tuple[str, str]:
    """Bytes as cp1252 where it defines them, else as Latin-1 (which defines every byte)."""
    if cp1252:
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    chars = []
    for byte in raw:
        try:
            chars.append(bytes([byte]).decode("cp1252") if cp1252 else chr(byte))
        except UnicodeDecodeError:
            chars.append(chr(byte))  # Latin-1
    return "".join(chars), "latin-1"


def _shown(encoding: str) -> str:
    return {"latin-1": "Latin-1"}.get(encoding, encoding)
