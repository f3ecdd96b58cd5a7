"""Qualtrics response exports as downloaded: the three-header-row CSV and the legacy two-row one.

Row 1 names the columns, row 2 holds the question texts (legacy: the names of the V1..Vn system
columns), and in the current format row 3 holds `{"ImportId": ...}`, which says which columns are
open text (`QID7_TEXT`). Every open-text answer of a response is a verbatim of its own, keyed by
(response id, question), so adding a question to the survey later changes no stored key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from ingest.personal import qualtrics_column
from ingest.survey import Layout, clean, unique

FORMATS = ("qualtrics", "qualtrics-legacy")
_TEXT_ID = re.compile(r"^QID\d+(?:_\d+)?_TEXT$")
_QUESTION = re.compile(r"^(?:QID|Q)\d")
_SKIPPED_STATUS = {"1", "2", "8", "9", "survey preview", "survey test", "spam", "preview spam"}


def layout(rows: Sequence[list[str]]) -> Layout | None:
    """The Qualtrics layout of the first rows of a CSV, or None if it is not a Qualtrics export."""
    if len(rows) < 2:
        return None
    first, second = [clean(c) for c in rows[0]], rows[1]
    if len(rows) >= 3 and rows[2] and all(c.startswith('{"ImportId"') for c in rows[2] if c):
        ids = [_import_id(c) for c in rows[2]]
        texts = [n for n, i in zip(first, ids, strict=False) if _TEXT_ID.match(i)]
        return _layout("qualtrics", first, second, texts, 3)
    if first and first[0] == "V1" and "responseid" in {h.lower() for h in second}:
        names = [s if re.fullmatch(r"V\d+", f) else f for f, s in zip(first, second, strict=False)]
        return _layout("qualtrics-legacy", names, second, [], 2)
    return None


def _layout(
    fmt: str, names: list[str], questions: list[str], texts: list[str], rows: int
) -> Layout:
    names = unique(names)
    nps = [n for n in names if f"{n}_NPS_GROUP" in names]
    return Layout(
        format=fmt,
        names=names,
        questions=questions,
        first_data_row=rows,
        system=frozenset(n for n in names if not _QUESTION.match(n)),
        dropped=frozenset(n for n in names if qualtrics_column(n)),
        texts=tuple(texts),
        id=next((n for n in names if n.lower() == "responseid"), None),
        date=next((n for n in ("RecordedDate", "EndDate", "StartDate") if n in names), None),
        score=nps[0] if nps else None,
        scale="nps" if nps else None,
        skipped=_skipped,
    )


def _import_id(cell: str) -> str:
    try:
        return str(json.loads(cell).get("ImportId", ""))
    except (ValueError, AttributeError):
        return ""


def _skipped(record: dict[str, Any]) -> bool:
    """Previews, tests and spam are not customers speaking."""
    status = str(record.get("Status", "")).strip().lower()
    channel = str(record.get("DistributionChannel", "")).strip().lower()
    return status in _SKIPPED_STATUS or channel in ("preview", "test")
