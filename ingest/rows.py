"""One exported row to a verbatim, or to the quarantine with the reason."""

from __future__ import annotations

import json
from collections.abc import Mapping as RowDict
from typing import Any

from ingest.columns import Mapping, leading_number, missing, no_text
from ingest.dates import parse_date
from ingest.decode import DECODED_AS, REPAIRED
from ticker.records import RecordError, Verbatim
from ticker.store import QuarantinedRow

# Where a record says how its line was decoded (ingest/decode.py); kept as metadata.
MARKS = {f"_{DECODED_AS}": DECODED_AS, f"_{REPAIRED}": REPAIRED}


def to_verbatim(
    source: str, mapping: Mapping, row: RowDict[str, Any], line: int
) -> Verbatim | QuarantinedRow | None:
    """A verbatim; None for a response that left the comment empty; a QuarantinedRow if bad."""
    assert mapping.text is not None
    text = row.get(mapping.text)
    if text is None or (isinstance(text, str) and no_text(text)):
        return None
    try:
        if not isinstance(text, str):
            raise RecordError(f"comment is a {type(text).__name__}, not text")
        score = None
        if mapping.score and not missing(row.get(mapping.score)):
            score = leading_number(row[mapping.score])
            if score is None:
                raise RecordError(
                    f"score {row[mapping.score]!r} in {mapping.score!r} is not a number"
                )
        meta = {
            k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            for k in mapping.meta or ()
            if not missing(v := row.get(k))
        }
        meta.update((name, str(row[mark])) for mark, name in MARKS.items() if row.get(mark))
        given_at = None
        if mapping.date and not missing(row.get(mapping.date)):
            try:
                given_at = parse_date(row.get(mapping.date), mapping.date_order)
            except (ValueError, OverflowError, OSError):
                meta["given_at_unreadable"] = str(row.get(mapping.date))  # keep the comment
        rid = row.get(mapping.id) if mapping.id else None
        return Verbatim(
            source=source,
            text=text,
            response_id=str(rid).strip() if not missing(rid) else None,
            score=score,
            scale=mapping.scale if score is not None else None,
            given_at=given_at,
            meta=meta,
        )
    except (ValueError, OverflowError, RecursionError) as exc:  # a bad row, not a bad file
        return QuarantinedRow(line=line, reason=str(exc)[:300], raw=raw_row(row))


def raw_row(row: RowDict[str, Any]) -> str:
    """The row as JSON for the quarantine, or its repr when even that fails (huge numbers)."""
    plain = {k: v for k, v in row.items() if k not in MARKS}
    try:
        return json.dumps(plain, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):
        return repr(plain)
