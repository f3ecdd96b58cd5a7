"""`voc-ticker tag`: what the tagger would say of an export, touching no database."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from ingest.columns import leading_number
from ingest.files import jsonl_records, parse_export
from ticker.language import language_of
from ticker.records import SCALES, RecordError, Scale
from ticker.sentiment import Tagger
from ticker.store import QuarantinedRow


def tag_stream(source: TextIO, out: TextIO, tagger: Tagger) -> int:
    """Write one JSON object per input row, in order; returns how many rows had an error."""
    errors = 0
    for row, fields in _rows(source):
        try:
            text, score, scale = _fields(fields)
            tag = tagger.tag(text, score, scale, language_of(text, {}))
            result = {**row, "bucket": tag.bucket, "compound": round(tag.compound, 4)}
        except RecordError as exc:
            errors += 1
            result = {**row, "error": str(exc)}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
    return errors


def _rows(source: TextIO) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Each input row, and its text, score and scale (the same dict for JSON Lines)."""
    lines = iter(source)
    first = next((ln for ln in lines if ln.strip()), None)
    if first is None:
        return
    if first.lstrip().startswith("{"):
        for _, value in jsonl_records(itertools.chain([first], lines)):
            if isinstance(value, QuarantinedRow):
                yield {"_raw": value.raw}, {"_error": value.reason}
            else:
                yield value, value
        return
    text = "".join(itertools.chain([first], lines)).lstrip("\ufeff")
    export = parse_export(text, Path("standard-input.csv"), "tag", fmt="csv")  # as ingest reads it
    for number, record in export.records:
        row = export.convert(record, number)
        if isinstance(row, QuarantinedRow):
            kept = record if isinstance(record, dict) else {"_raw": row.raw}
            yield kept, {"_error": f"line {number}: {row.reason}"}
        elif row is None:  # a blank comment: noise, as the tagger says
            yield record, {"text": ""}
        else:
            yield record, {"text": row.text, "score": row.score, "scale": row.scale}


def _fields(row: dict[str, Any]) -> tuple[str, float | None, Scale | None]:
    if "_error" in row:
        raise RecordError(row.pop("_error"))  # the output keeps _raw and gains `error`
    text = row.get("text")
    if not isinstance(text, str):
        raise RecordError("no 'text' field holding the comment")
    raw_score, scale = row.get("score"), row.get("scale")
    if raw_score in (None, ""):
        return text, None, None
    score = leading_number(raw_score)
    if score is None:
        raise RecordError(f"score {raw_score!r} is not a number")
    if scale not in SCALES:
        raise RecordError(
            f"scale {scale!r} must be one of nps, csat5, stars5 when a score is given"
        )
    low, high = SCALES[scale]
    if not low <= score <= high:
        raise RecordError(f"score {score:g} is outside the {scale} scale {low}-{high}")
    return text, score, scale
