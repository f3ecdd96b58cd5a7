"""Alchemer (SurveyGizmo) response exports: `Response ID`, `Time Started`, `Date Submitted`,
`Status`, then the platform's columns and one column per question.

The older SurveyGizmo export (`SurveyExport.csv`) has no `Response ID` and begins `Time Started`,
`Date Submitted`, `Status`: its answers are keyed by their content (when the response began,
the question and the answer), the same on every import. Headers may end in non-breaking or
plain spaces (rich-text question titles) and the file may start with a BOM; all are cleaned.
A field of a question is headed `Field:Question`: `Aspect #1:What do you like?` is the first
box of a list of open answers (a list's boxes are comments when answered with words),
`Other - Write In:How did you hear of us?` the write-in of a choice. Complete and Partial
responses are taken (a partial response's comment is still the customer's: Alchemer saves each
page as it is submitted), disqualified, deleted and test ones are not. Browser, network and
location columns are never kept.
"""

from __future__ import annotations

import re
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
_FIELD = re.compile(r"^([^:]{1,80}?):+(?!//)(.+)$")  # `Aspect #1:What…`, `Other word(s)::Select…`
_LISTED = re.compile(r"#\s*\d+$")  # `Aspect #1`: one box of a list


def layout(rows: Sequence[list[str]]) -> Layout | None:
    """The layout of an Alchemer export's header row, or None if it is not one."""
    if not rows:
        return None
    names = unique([clean(c) for c in rows[0]])
    given = set(names)
    has_id = "Response ID" in given
    if not (has_id and {"Date Submitted", "Time Started"} & given) and not (
        {"Time Started", "Date Submitted", "Status"} <= given
    ):
        return None
    fields = [_FIELD.match(n) if n not in SYSTEM else None for n in names]
    return Layout(
        format="alchemer",
        names=names,
        questions=[f.group(2).strip() if f else n for n, f in zip(names, fields, strict=True)],
        first_data_row=1,
        system=frozenset(n for n in names if n in SYSTEM),
        dropped=frozenset(n for n in names if n in DROPPED),
        id="Response ID" if has_id else None,
        date="Date Submitted" if "Date Submitted" in names else "Time Started",
        date_fallback="Time Started" if "Time Started" in names else None,
        skipped=_skipped,
        content_key=not has_id,
        started="Time Started" if "Time Started" in names else None,
        lists=frozenset(
            n for n, f in zip(names, fields, strict=True) if f and _LISTED.search(f.group(1))
        ),
    )


def _skipped(record: dict[str, Any]) -> bool:
    return str(record.get("Status", "")).strip().lower() in _SKIPPED_STATUS
