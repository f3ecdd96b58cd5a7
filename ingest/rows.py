"""One exported row to a verbatim, or to the quarantine with the reason."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping as RowDict
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ingest.columns import Mapping, leading_number
from ticker.records import RecordError, Verbatim
from ticker.store import QuarantinedRow

_SLASHED = re.compile(
    r"^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?\s*$"
)
# Google Forms' own download: 2024/12/22 11:49:31 AM (the zone is split off first)
_YEAR_FIRST = re.compile(
    r"^\s*(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?\s*$"
)
# A zone written after the time: GMT+8, GMT+5:30, UTC\u22124 (a real minus sign), GMT, EST…
_ZONE = re.compile(
    r"^(?P<rest>.*\d(?:\s*[AaPp][Mm])?)\s*"
    r"(?:(?:GMT|UTC)\s*(?:(?P<sign>[+\-\u2212])(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?)?|(?P<abbr>[A-Z]{3,4}))$",
    re.IGNORECASE,
)
_LOCAL_AMPM = {"午前": "AM", "午後": "PM"}
_ABBREVIATIONS = {  # the unambiguous ones exports use; others are read as local time
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "CET": 1,
    "CEST": 2,
    "BST": 1,
}


def parse_date(value: Any, order: str = "auto") -> str | None:
    """ISO-8601 (UTC where the zone is known) from the timestamp styles exports use; None if empty.

    Raises ValueError when the value is there but cannot be read.
    """
    if value in (None, ""):
        return None
    if isinstance(value, int | float):  # Unix seconds (Delighted and friends)
        return datetime.fromtimestamp(value, UTC).isoformat(timespec="seconds")
    text = str(value).strip()
    for word, ampm in _LOCAL_AMPM.items():  # Google Forms in Japanese: 2024/12/22 午後 1:02:03
        if word in text:
            at = r"(\d{1,2}:\d{2}(?::\d{2})?)"
            text = re.sub(at, rf"\1 {ampm}", text.replace(word, ""), count=1)
            text = " ".join(text.split())
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        rest, zone = _split_zone(text)
        parsed = _local(rest, order, text)
        if zone is not None:
            parsed = parsed.replace(tzinfo=zone)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.isoformat(timespec="seconds")


def given_or_none(value: Any) -> str | None:
    """An API's timestamp, or None when it cannot be read: the comment goes in without it."""
    try:
        return parse_date(value)
    except (ValueError, OverflowError, OSError):
        return None


def _split_zone(text: str) -> tuple[str, timezone | None]:
    """A timestamp without the zone written after it, and that zone (None when unknown)."""
    m = _ZONE.match(text)
    if not m:
        return text, None
    if m["abbr"]:
        hours = _ABBREVIATIONS.get(m["abbr"].upper())
        return m["rest"], None if hours is None else timezone(timedelta(hours=hours))
    if not m["sign"]:
        return m["rest"], UTC
    sign = -1 if m["sign"] in "-\u2212" else 1
    offset = timedelta(hours=int(m["h"]), minutes=int(m["m"] or 0))
    return m["rest"], timezone(sign * offset)


def _local(text: str, order: str, original: str) -> datetime:
    """A timestamp with no zone: ISO with a space, year first, or day and month either way."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    if m := _YEAR_FIRST.match(text):
        year, month, day, hour, minute, second, ampm = m.groups()
    elif m := _SLASHED.match(text):
        a, b, year, hour, minute, second, ampm = m.groups()
        first, second_part = int(a), int(b)
        month_n, day_n = (
            (second_part, first)
            if order == "dmy" or (order == "auto" and first > 12)
            else (first, second_part)
        )
        month, day = str(month_n), str(day_n)
        year = str(int(year) + (2000 if len(year) == 2 else 0))
    else:
        raise ValueError(f"cannot read the date {original!r}")
    h = int(hour or 0)
    if ampm:
        h = h % 12 + (12 if ampm.lower() == "pm" else 0)
    return datetime(int(year), int(month), int(day), h, int(minute or 0), int(second or 0))


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
