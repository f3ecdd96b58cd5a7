"""One exported row to a verbatim, or to the quarantine with the reason."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping as RowDict
from datetime import UTC, datetime
from typing import Any

from ingest.columns import Mapping, leading_number
from ticker.records import RecordError, Verbatim
from ticker.store import QuarantinedRow

_SLASHED = re.compile(
    r"^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?\s*$"
)


def parse_date(value: Any, order: str = "auto") -> str | None:
    """ISO-8601 (UTC where the zone is known) from the timestamp styles exports use; None if empty.

    Raises ValueError when the value is there but cannot be read.
    """
    if value in (None, ""):
        return None
    if isinstance(value, int | float):  # Unix seconds (Delighted and friends)
        return datetime.fromtimestamp(value, UTC).isoformat(timespec="seconds")
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        m = _SLASHED.match(text)
        if not m:
            raise ValueError(f"cannot read the date {text!r}") from None
        a, b, year, hour, minute, second, ampm = m.groups()
        first, second_part = int(a), int(b)
        month, day = (
            (second_part, first)
            if order == "dmy" or (order == "auto" and first > 12)
            else (first, second_part)
        )
        y = int(year) + (2000 if len(year) == 2 else 0)
        h = int(hour or 0)
        if ampm:
            h = h % 12 + (12 if ampm.lower() == "pm" else 0)
        parsed = datetime(y, month, day, h, int(minute or 0), int(second or 0))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.isoformat(timespec="seconds")


def to_verbatim(
    source: str, mapping: Mapping, row: RowDict[str, Any], line: int
) -> Verbatim | QuarantinedRow | None:
    """A verbatim; None for a response that left the comment empty; a QuarantinedRow if bad."""
    assert mapping.text is not None
    text = row.get(mapping.text)
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        if not isinstance(text, str):
            raise RecordError(f"comment is a {type(text).__name__}, not text")
        score = None
        if mapping.score and row.get(mapping.score) not in (None, ""):
            score = leading_number(row[mapping.score])
            if score is None:
                raise RecordError(
                    f"score {row[mapping.score]!r} in {mapping.score!r} is not a number"
                )
        meta = {
            k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            for k in mapping.meta or ()
            if (v := row.get(k)) not in (None, "")
        }
        given_at = None
        if mapping.date:
            try:
                given_at = parse_date(row.get(mapping.date), mapping.date_order)
            except (ValueError, OverflowError, OSError):
                meta["given_at_unreadable"] = str(row.get(mapping.date))  # keep the comment
        rid = row.get(mapping.id) if mapping.id else None
        return Verbatim(
            source=source,
            text=text,
            response_id=str(rid).strip() if rid not in (None, "") else None,
            score=score,
            scale=mapping.scale if score is not None else None,
            given_at=given_at,
            meta=meta,
        )
    except (ValueError, OverflowError, RecursionError) as exc:  # a bad row, not a bad file
        return QuarantinedRow(line=line, reason=str(exc)[:300], raw=raw_row(row))


def raw_row(row: RowDict[str, Any]) -> str:
    """The row as JSON for the quarantine, or its repr when even that fails (huge numbers)."""
    try:
        return json.dumps(dict(row), ensure_ascii=False, default=str)
    except (ValueError, RecursionError):
        return repr(dict(row))
