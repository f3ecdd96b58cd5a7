"""Alchemer (SurveyGizmo) response exports: `Response ID`, `Time Started`, `Date Submitted`,
`Status`, then the platform's columns and one column per question.

Headers may end in a non-breaking space (rich-text question titles) and the file may start with
a BOM; both are cleaned. Complete and Partial responses are taken (a partial response's comment
is still the customer's: Alchemer saves each page as it is submitted), disqualified, deleted
and test ones are not. Browser, network and location columns are never kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ingest.survey import Layout, clean, unique

SYSTEM = {
    "Response ID",
    "Time Started",
    "Date Submitted",
    "Status",
    "Contact ID",
    "Legacy Comments",
    "Comments",
    "Language",
    "Referer",
    "Extended Referer",
    "SessionID",
    "User Agent",
    "Extended User Agent",
    "Tags",
    "IP Address",
    "Longitude",
    "Latitude",
    "Country",
    "City",
    "State/Region",
    "Postal",
}
# Who and where the respondent is, and the team's own notes: not for a ticker.
DROPPED = SYSTEM - {"Response ID", "Time Started", "Date Submitted", "Status", "Language"}
DROPPED -= {"Country", "Tags"}
_SKIPPED_STATUS = {"disqualified", "deleted", "test"}


def layout(rows: Sequence[list[str]]) -> Layout | None:
    """The layout of an Alchemer export's header row, or None if it is not one."""
    if not rows:
        return None
    names = unique([clean(c) for c in rows[0]])
    if "Response ID" not in names or not {"Date Submitted", "Time Started"} & set(names):
        return None
    return Layout(
        format="alchemer",
        names=names,
        questions=names,
        first_data_row=1,
        system=frozenset(n for n in names if n in SYSTEM),
        dropped=frozenset(n for n in names if n in DROPPED),
        id="Response ID",
        date="Date Submitted" if "Date Submitted" in names else "Time Started",
        date_fallback="Time Started" if "Time Started" in names else None,
        skipped=_skipped,
    )


def _skipped(record: dict[str, Any]) -> bool:
    return str(record.get("Status", "")).strip().lower() in _SKIPPED_STATUS
