"""Export files: CSV (any delimiter Excel writes) and JSON Lines, read into verbatims."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from ingest.columns import Mapping, resolve
from ingest.decode import UnreadableFile, read_text
from ingest.rows import raw_row, to_verbatim
from ticker.pipeline import Convert, Record, Row
from ticker.store import QuarantinedRow

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 10 MB comment is still a comment
SAMPLE_ROWS = 500


@dataclass
class Export:
    """An opened export: what was detected, its raw records and how to convert each."""

    path: Path
    format: str
    encoding: str
    mapping: Mapping
    records: list[Record]
    convert: Convert

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
) -> Export:
    """An export from its text; `path` names it (and its suffix hints at the format)."""
    fmt = fmt or sniff_format(path, text)
    records: list[Record]
    if fmt == "jsonl":
        records = list(_jsonl_records(text))
        headers = _keys(r for _, r in records if isinstance(r, dict))  # a key may come late
    elif fmt == "csv":
        records, headers = _csv_records(text, path)
    else:
        raise UnreadableFile(f"unknown format {fmt!r}; use csv or jsonl")
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


def _jsonl_records(text: str) -> Iterator[tuple[int, dict[str, Any] | QuarantinedRow]]:
    for number, line in enumerate(text.splitlines(), start=1):
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


def _csv_records(
    text: str, path: Path
) -> tuple[list[tuple[int, dict[str, Any] | QuarantinedRow]], list[str]]:
    sample = text[:65536]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        header = next(reader)
    except StopIteration:
        raise UnreadableFile(f"{path} has no header row") from None
    header = [h.replace("\xa0", " ").strip() for h in header]
    width = len(header)
    while width and not header[width - 1]:  # Excel and Qualtrics leave a trailing comma
        width -= 1
    records: list[tuple[int, dict[str, Any] | QuarantinedRow]] = []
    start = reader.line_num + 1
    for values in reader:
        line, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        extra = [v for v in values[width:] if v.strip()]
        if extra:
            reason = f"row has {len(values)} fields but the header has {width}; an unquoted comma?"
            records.append((line, QuarantinedRow(line, reason, _raw(values, delimiter))))
            continue
        records.append((line, dict(zip(header[:width], values[:width], strict=False))))
    return records, header[:width]


def _raw(values: list[str], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerow(values)
    return out.getvalue().rstrip("\r\n")
