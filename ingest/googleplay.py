"""Google Play Console review reports: the monthly `reviews_<package>_<YYYYMM>.csv`.

Play Console (Download reports > Reviews) and the developer account's Cloud Storage bucket
(`pubsite_prod_rev_…/reviews/`) write one row per review, in UTF-16 with a BOM: Package Name,
App Version Code, App Version Name, Reviewer Language, Device, Review Submit Date and Time,
Review Submit Millis Since Epoch, Review Last Update Date and Time, Review Last Update Millis
Since Epoch, Star Rating, Review Title, Review Text, Developer Reply Date and Time, Developer
Reply Millis Since Epoch, Developer Reply Text, Review Link (older reports lack some of them).

A review's comment is its title and text; a star rating alone is a review without a comment. The
developer's reply is the team's words, not the customer's, and is never kept. A review is keyed
by the review id in its link (without one, by its app and the millisecond it was submitted),
never by its last update, which an edit changes: the edited review in a later report updates the
stored comment instead of adding it twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from ingest.columns import Mapping
from ingest.rows import raw_row
from ingest.survey import clean
from ticker.pipeline import Record
from ticker.store import QuarantinedRow

FORMAT = "google-play"
PACKAGE, STARS, TITLE, TEXT = "Package Name", "Star Rating", "Review Title", "Review Text"
SUBMITTED, SUBMITTED_MS = "Review Submit Date and Time", "Review Submit Millis Since Epoch"
LINK = "Review Link"
# What a record holds besides the report's own columns, and what the mapping reads from it.
COMMENT, REVIEW = "Review Title + Review Text", "review id"
LABELS = ("app", "app_version", "language", "device")
MAPPING = Mapping(text=COMMENT, score=STARS, scale="stars5", id=REVIEW, date=SUBMITTED, meta=LABELS)
_REVIEW_ID = re.compile(r"reviewid=([^&#;]+)", re.IGNORECASE)  # ?reviewId=gp:… or #…&reviewid=…


def detected(header: Sequence[str]) -> bool:
    """A Play reviews report's header row: the app, the stars, the text and when it was written."""
    names = {clean(h) for h in header}
    return {PACKAGE, STARS, TEXT} <= names and bool({SUBMITTED, SUBMITTED_MS} & names)


def records(header: Sequence[str], table: list[Record]) -> list[Record]:
    """Each report row as a record MAPPING reads; a row cut short is quarantined."""
    return [(line, _review(header, line, row)) for line, row in table]


def _review(header: Sequence[str], line: int, row: Any) -> dict[str, Any] | QuarantinedRow:
    if isinstance(row, QuarantinedRow):
        return row
    if len(row) < len(header):  # Play writes every cell of every row, empty or not
        reason = f"row has {len(row)} of the {len(header)} fields; a line break outside quotes?"
        return QuarantinedRow(line, reason, raw_row(row))
    cell = {k: str(v).strip() for k, v in row.items()}
    words = [str(row[c]) for c in (TITLE, TEXT) if cell.get(c)]  # as written, blanks left out
    return {
        **row,
        COMMENT: "\n".join(words),
        REVIEW: review_id(cell),
        SUBMITTED: cell.get(SUBMITTED) or _from_millis(cell.get(SUBMITTED_MS, "")),
        "app": cell.get(PACKAGE, ""),
        "app_version": cell.get("App Version Name") or cell.get("App Version Code", ""),
        "language": cell.get("Reviewer Language", ""),
        "device": cell.get("Device", ""),
    }


def review_id(cell: dict[str, str]) -> str:
    """The review's id from its link; else its app and submit time; else the link itself."""
    link = cell.get(LINK, "")
    if m := _REVIEW_ID.search(link):
        return unquote(m.group(1))
    if cell.get(SUBMITTED_MS, "").isdigit():
        return f"{cell.get(PACKAGE, '')}/{cell[SUBMITTED_MS]}"
    return link  # empty too: the review is keyed by its content


def _from_millis(millis: str) -> str:
    """A submit time written only as milliseconds since the epoch, as ISO-8601 UTC."""
    try:
        return datetime.fromtimestamp(int(millis) / 1000, UTC).isoformat(timespec="seconds")
    except (ValueError, OverflowError, OSError):  # empty, or no time at all
        return ""
