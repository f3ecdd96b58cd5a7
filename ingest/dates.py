"""Timestamps as exports and APIs write them, to ISO-8601: one reader for every adapter.

Exports write dates in the style of the platform or of the spreadsheet that saved them
(2024/12/22 11:49:31 AM GMT+8, 8/31/2023 19:08, ISO with or without a zone, Unix seconds);
a date that cannot be read never loses a comment: exports keep the raw text, APIs go without.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

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
