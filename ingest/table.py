"""A CSV export as rows of cells: the delimiter Excel wrote, each row with the lines it spans."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from ingest.decode import Decoding
from ticker.store import QuarantinedRow

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 10 MB comment is still a comment


class TableRow(NamedTuple):
    """A row's cells, and the lines it starts and ends on (a quoted cell may hold breaks)."""

    line: int
    values: list[str]
    last: int


def csv_rows(text: str, path: Path) -> tuple[str, Iterator[TableRow]]:
    """The delimiter, and each row with the lines it spans."""
    try:
        delimiter = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)

    def numbered() -> Iterator[TableRow]:
        start = 1
        for values in reader:
            yield TableRow(start, values, max(start, reader.line_num))
            start = reader.line_num + 1

    return delimiter, numbered()


def header_width(header: list[str]) -> int:
    """Columns that have a name: Excel and Qualtrics leave a trailing comma."""
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    return width


def table_record(
    header: list[str], row: TableRow, delimiter: str, decoding: Decoding
) -> dict[str, Any] | QuarantinedRow | None:
    """One data row as a dict of its columns (and how its lines were decoded); None for a
    blank line; quarantined if it has cells past the header's."""
    values = row.values
    if not any(v.strip() for v in values):
        return None
    width = len(header)
    if any(v.strip() for v in values[width:]):
        reason = f"row has {len(values)} fields but the header has {width}; an unquoted comma?"
        return QuarantinedRow(row.line, reason, raw_cells(values, delimiter))
    record: dict[str, Any] = dict(zip(header, values[:width], strict=False))
    for name, value in decoding.marks(row.line, row.last).items():
        record[f"_{name}"] = value
    return record


def raw_cells(values: list[str], delimiter: str) -> str:
    """A row's cells as the CSV line they came from, for the quarantine."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerow(values)
    return out.getvalue().rstrip("\r\n")
