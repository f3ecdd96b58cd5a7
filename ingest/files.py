"""Export files: CSV (any delimiter Excel writes) and JSON Lines, read into verbatims."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import Any

from ingest import alchemer, googleforms, googleplay, headers, qualtrics, survey, typeform
from ingest.columns import Mapping, MappingError, comment_like, resolve, text_hint
from ingest.decode import Decoding, UnreadableFile, read_export
from ingest.rows import MARKS, raw_row, to_verbatim
from ingest.table import TableRow, csv_rows, header_width, table_record
from ticker.pipeline import Convert, Record, Row
from ticker.store import QuarantinedRow

SAMPLE_ROWS = 500
HEAD_ROWS = 50  # rows a layout is read from: its header rows, and data telling choices apart
LAYOUTS = {
    "qualtrics": qualtrics.layout,
    "alchemer": alchemer.layout,
    "google-forms": googleforms.layout,
    "typeform": typeform.layout,
    "survey-csv": headers.layout,  # two header rows, from no platform known here
}
FORMATS = (
    *("csv", "jsonl", *qualtrics.FORMATS, "alchemer", "google-forms", "typeform", "survey-csv"),
    googleplay.FORMAT,  # one record per review (title and text), not one per answer: read apart
)


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
    decoding: Decoding = field(default_factory=lambda: Decoding("utf-8"))
    content_key: str | None = None  # what a survey export without ids keys its answers by

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
    decoded = read_export(path, encoding)
    return parse_export(
        decoded.text, path, source, asked, fmt, decoded.decoding.encoding, decoding=decoded.decoding
    )


def parse_export(
    text: str,
    path: Path,
    source: str,
    asked: Mapping | None = None,
    fmt: str | None = None,
    encoding: str = "utf-8",
    texts: Sequence[str] = (),
    decoding: Decoding | None = None,
) -> Export:
    """An export from its text; `path` names it (and its suffix hints at the format).

    `texts` names a survey export's open-text columns (a configured source's `text`);
    `decoding` says which lines were decoded in a fallback or repaired, for their metadata.
    """
    fmt = fmt or sniff_format(path, text)
    decoding = decoding or Decoding(encoding)
    records: list[Record]
    if fmt == "jsonl":
        records = list(jsonl_records(text.split("\n"), decoding))  # U+2028 is no line end
        columns = _keys(r for _, r in records if isinstance(r, dict))  # a key may come late
    elif fmt in FORMATS:
        delimiter, rows = csv_rows(text, path)
        head = list(islice(rows, HEAD_ROWS))
        if fmt in ("csv", googleplay.FORMAT) and head and googleplay.detected(head[0][1]):
            table, header = _csv_records(chain(head, rows), delimiter, path, decoding)
            mapping = googleplay.MAPPING.merged(asked or Mapping())
            convert = partial(convert_record, source, mapping, False)
            reviews = googleplay.records(header, table)
            return Export(
                path, googleplay.FORMAT, encoding, mapping, reviews, convert, decoding=decoding
            )
        lay = _layout(fmt, [row.values for row in head])
        if lay is not None:
            export = _survey_export(
                path, source, lay, chain(head, rows), delimiter, asked, texts, decoding
            )
            return replace(export, encoding=encoding)
        if fmt != "csv":
            raise UnreadableFile(
                f"{path} is not a {fmt} export: its header rows are not the ones {fmt} writes"
            )
        records, columns = _csv_records(chain(head, rows), delimiter, path, decoding)
    else:
        raise UnreadableFile(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    samples = [r for _, r in records[:SAMPLE_ROWS] if isinstance(r, dict)]
    mapping = resolve(columns, samples, asked or Mapping())
    convert = partial(convert_record, source, mapping, fmt == "csv")
    return Export(path, fmt, encoding, mapping, records, convert, decoding=decoding)


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


def jsonl_records(
    lines: Iterable[str], decoding: Decoding | None = None
) -> Iterator[tuple[int, dict[str, Any] | QuarantinedRow]]:
    """Each JSON object with its line number (and how the line was decoded); a line that is
    not one is quarantined."""
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
            marks = decoding.marks(number, number) if decoding else {}
            yield number, {**value, **{f"_{k}": v for k, v in marks.items()}}
        else:
            yield (
                number,
                QuarantinedRow(number, f"a JSON {type(value).__name__}, not an object", line),
            )


def _keys(records: Any) -> list[str]:
    keys: dict[str, None] = {}
    for r in records:
        keys.update(dict.fromkeys(r))
    return [k for k in keys if k not in MARKS]


def _layout(fmt: str, head: list[list[str]]) -> survey.Layout | None:
    """The survey platform whose header rows these are (the one asked for, or any)."""
    asked = "qualtrics" if fmt in qualtrics.FORMATS else fmt
    for name, read in LAYOUTS.items():
        if asked in ("csv", name) and (lay := read(head)) is not None:
            return lay
    return None


def _survey_export(
    path: Path,
    source: str,
    lay: survey.Layout,
    rows: Iterator[TableRow],
    delimiter: str,
    asked: Mapping | None,
    chosen: Sequence[str] = (),
    decoding: Decoding | None = None,
) -> Export:
    """A survey platform's export: header rows skipped, one record per open-text answer."""
    names = lay.names[: header_width(lay.names)]
    decoding = decoding or Decoding("utf-8")
    table: list[tuple[int, dict[str, Any] | QuarantinedRow]] = []
    for index, row in enumerate(rows):
        if index >= lay.first_data_row:  # header rows may span lines: count rows, not lines
            record = table_record(names, row, delimiter, decoding)
            if record is not None:
                table.append((row.line, record))
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
        questions = [n for n in names if n not in lay.system and n not in lay.dropped]
        raise MappingError(
            f"{path}: a {lay.format} export, but no open-text question found "
            f"(columns: {', '.join(names)}); " + text_hint(comment_like(questions, samples))
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
        decoding.encoding,
        mapping,
        records,
        convert,
        tuple(texts),
        tuple(wording.get(t) or t for t in texts),
        lay.id,
        decoding,
        _content_key(lay),
    )


def _content_key(lay: survey.Layout) -> str | None:
    if not lay.content_key or lay.id:
        return None
    if lay.started:
        return f"a hash of when the response began ({lay.started}), the question and the answer"
    return "a hash of the question and all of the response's answers"


def _csv_records(
    rows: Iterator[TableRow], delimiter: str, path: Path, decoding: Decoding
) -> tuple[list[tuple[int, dict[str, Any] | QuarantinedRow]], list[str]]:
    try:
        header = next(rows).values
    except StopIteration:
        raise UnreadableFile(f"{path} has no header row") from None
    header = [h.replace("\xa0", " ").strip() for h in header]
    header = header[: header_width(header)]
    records: list[tuple[int, dict[str, Any] | QuarantinedRow]] = []
    for row in rows:
        record = table_record(header, row, delimiter, decoding)
        if record is not None:
            records.append((row.line, record))
    return records, header
