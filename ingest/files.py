"""Export files: CSV (any delimiter Excel writes) and JSON Lines, read into verbatims."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import Any

from ingest import alchemer, googleforms, qualtrics, survey, typeform
from ingest.columns import Mapping, MappingError, resolve
from ingest.decode import UnreadableFile, read_text
from ingest.rows import raw_row, to_verbatim
from ticker.pipeline import Convert, Record, Row
from ticker.store import QuarantinedRow

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 10 MB comment is still a comment
SAMPLE_ROWS = 500
LAYOUTS = {
    "qualtrics": qualtrics.layout,
    "alchemer": alchemer.layout,
    "google-forms": googleforms.layout,
    "typeform": typeform.layout,
}
FORMATS = ("csv", "jsonl", *qualtrics.FORMATS, "alchemer", "google-forms", "typeform")


@dataclass
class Export:
    """An opened export: what was detected, its raw records and how to convert each."""

    path: Path
    format: str
    encoding: str
    mapping: Mapping
    records: list[Record]
    convert: Convert
    texts: tuple[str, ...] = ()  # open-text columns where each answer is a comment (surveys)
    questions: tuple[str, ...] = ()  # their wording
    keyed_by: str | None = None  # the response id column of a survey export

    @property
    def rows(self) -> Iterator[Row]:
        """The converted rows, skipping blank comments (for callers that do not use a Pipeline)."""
        for line, record in self.records:
            row = self.convert(record, line)
            if row is not None:
                yield row


def open_export(
    path: Path,
    source: str,
    asked: Mapping | None = None,
    encoding: str | None = None,
    fmt: str | None = None,
) -> Export:
    """Open a CSV or JSON Lines export; raises UnreadableFile or MappingError with the fix."""
    text, used = read_text(path, encoding)
    return parse_export(text, path, source, asked, fmt, used)


def parse_export(
    text: str,
    path: Path,
    source: str,
    asked: Mapping | None = None,
    fmt: str | None = None,
    encoding: str = "utf-8",
    texts: Sequence[str] = (),
) -> Export:
    """An export from its text; `path` names it (and its suffix hints at the format).

    `texts` names a survey export's open-text columns (a configured source's `text`).
    """
    fmt = fmt or sniff_format(path, text)
    records: list[Record]
    if fmt == "jsonl":
        records = list(jsonl_records(text.splitlines()))
        headers = _keys(r for _, r in records if isinstance(r, dict))  # a key may come late
    elif fmt in FORMATS:
        delimiter, rows = csv_rows(text, path)
        head = list(islice(rows, 3))
        lay = _layout(fmt, [values for _, values in head])
        if lay is not None:
            return _survey_export(
                path, encoding, source, lay, chain(head, rows), delimiter, asked, texts
            )
        if fmt != "csv":
            raise UnreadableFile(
                f"{path} is not a {fmt} export: its header rows are not the ones {fmt} writes"
            )
        records, headers = _csv_records(chain(head, rows), delimiter, path)
    else:
        raise UnreadableFile(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    samples = [r for _, r in records[:SAMPLE_ROWS] if isinstance(r, dict)]
    mapping = resolve(headers, samples, asked or Mapping())
    convert = partial(convert_record, source, mapping, fmt == "csv")
    return Export(path, fmt, encoding, mapping, records, convert)


def convert_record(
    source: str, mapping: Mapping, every_column: bool, record: Any, line: int
) -> Row | None:
    """A raw record (a dict of columns, or a row already quarantined) to a verbatim.

    A CSV row has every column up to its last cell: one that stops before the comment's was cut
    short (a line break outside quotes) and is quarantined, not taken for a blank answer.
    """
    if isinstance(record, QuarantinedRow):
        return record
    if every_column and mapping.text not in record:
        reason = f"row has {len(record)} fields and no comment cell; a line break outside quotes?"
        return QuarantinedRow(line, reason, raw_row(record))
    return to_verbatim(source, mapping, record, line)


def sniff_format(path: Path, text: str) -> str:
    """JSON Lines when the first non-blank line is a JSON object, else CSV."""
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return "jsonl"
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    return "jsonl" if first.lstrip().startswith("{") else "csv"


def jsonl_records(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | QuarantinedRow]]:
    """Each JSON object with its line number; a line that is not one is quarantined."""
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, QuarantinedRow(number, f"not JSON: {exc.msg} at column {exc.colno}", line)
            continue
        except (ValueError, RecursionError) as exc:  # a 5,000-digit number, [[[[… nested
            yield number, QuarantinedRow(number, f"JSON that cannot be read: {exc}"[:300], line)
            continue
        if isinstance(value, dict):
            yield number, value
        else:
            yield (
                number,
                QuarantinedRow(number, f"a JSON {type(value).__name__}, not an object", line),
            )


def _keys(records: Any) -> list[str]:
    keys: dict[str, None] = {}
    for r in records:
        keys.update(dict.fromkeys(r))
    return list(keys)


def csv_rows(text: str, path: Path) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """The delimiter, and each row with the line it starts on (a quoted cell may span lines)."""
    try:
        delimiter = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)

    def numbered() -> Iterator[tuple[int, list[str]]]:
        start = 1
        for values in reader:
            yield start, values
            start = reader.line_num + 1

    return delimiter, numbered()


def header_width(header: list[str]) -> int:
    """Columns that have a name: Excel and Qualtrics leave a trailing comma."""
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    return width


def table_record(
    header: list[str], values: list[str], line: int, delimiter: str
) -> dict[str, Any] | QuarantinedRow | None:
    """One data row as a dict of its columns; None for a blank line; quarantined if too wide."""
    if not any(v.strip() for v in values):
        return None
    width = len(header)
    if any(v.strip() for v in values[width:]):
        reason = f"row has {len(values)} fields but the header has {width}; an unquoted comma?"
        return QuarantinedRow(line, reason, _raw(values, delimiter))
    return dict(zip(header, values[:width], strict=False))


def _layout(fmt: str, head: list[list[str]]) -> survey.Layout | None:
    """The survey platform whose header rows these are (the one asked for, or any)."""
    asked = "qualtrics" if fmt in qualtrics.FORMATS else fmt
    for name, read in LAYOUTS.items():
        if asked in ("csv", name) and (lay := read(head)) is not None:
            return lay
    return None


def _survey_export(
    path: Path,
    encoding: str,
    source: str,
    lay: survey.Layout,
    rows: Iterator[tuple[int, list[str]]],
    delimiter: str,
    asked: Mapping | None,
    chosen: Sequence[str] = (),
) -> Export:
    """A survey platform's export: header rows skipped, one record per open-text answer."""
    names = lay.names[: header_width(lay.names)]
    table: list[tuple[int, dict[str, Any] | QuarantinedRow]] = []
    for index, (line, values) in enumerate(rows):
        if index >= lay.first_data_row:  # header rows may span lines: count rows, not lines
            record = table_record(names, values, line, delimiter)
            if record is not None:
                table.append((line, record))
    samples = [r for _, r in table[:SAMPLE_ROWS] if isinstance(r, dict)]
    asked = asked or Mapping()
    chosen = list(chosen) or ([asked.text] if asked.text else [])
    missing = [c for c in chosen if c not in names]
    if missing:
        raise MappingError(
            f"no column {', '.join(map(repr, missing))} for the text; "
            f"the columns are: {', '.join(names)}"
        )
    texts = chosen or survey.open_texts(lay, samples)
    if not texts:
        raise MappingError(
            f"{path}: a {lay.format} export, but no open-text question found; name one with "
            f"--text (columns: {', '.join(names)})"
        )
    records: list[Record] = []
    for line, record in table:
        if isinstance(record, QuarantinedRow):
            records.append((line, record))
        else:
            records.extend((line, answer) for answer in survey.answers(lay, texts, record))
    mapping = survey.mapping(lay, samples, replace(asked, text=None))
    convert = partial(convert_record, source, mapping, True)
    wording = dict(zip(lay.names, lay.questions, strict=False))
    return Export(
        path,
        lay.format,
        encoding,
        mapping,
        records,
        convert,
        tuple(texts),
        tuple(wording.get(t) or t for t in texts),
        lay.id,
    )


def _csv_records(
    rows: Iterator[tuple[int, list[str]]], delimiter: str, path: Path
) -> tuple[list[tuple[int, dict[str, Any] | QuarantinedRow]], list[str]]:
    try:
        _, header = next(rows)
    except StopIteration:
        raise UnreadableFile(f"{path} has no header row") from None
    header = [h.replace("\xa0", " ").strip() for h in header]
    header = header[: header_width(header)]
    records: list[tuple[int, dict[str, Any] | QuarantinedRow]] = []
    for line, values in rows:
        record = table_record(header, values, line, delimiter)
        if record is not None:
            records.append((line, record))
    return records, header


def _raw(values: list[str], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerow(values)
    return out.getvalue().rstrip("\r\n")
