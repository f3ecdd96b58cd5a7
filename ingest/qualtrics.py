"""Qualtrics response exports as downloaded: the three-header-row CSV and the legacy two-row one.

Row 1 names the columns, row 2 holds the question texts (legacy: the names of the V1..Vn system
columns), and in the current format row 3 holds `{"ImportId": ...}`, which says which columns are
open text (`QID7_TEXT`). Every open-text answer of a response is a verbatim of its own, keyed by
(response id, question), so adding a question to the survey later changes no stored key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ingest.columns import Mapping, words

FORMATS = ("qualtrics", "qualtrics-legacy")
ANSWER, QUESTION, RESPONSE = "_answer", "question", "_response"
_TEXT_ID = re.compile(r"^QID\d+(?:_\d+)?_TEXT$")
_SKIPPED_STATUS = {"1", "2", "8", "9", "survey preview", "survey test", "spam", "preview spam"}
# Personal data Qualtrics adds to every response: never worth keeping beside a comment.
_PERSONAL = {
    "ipaddress",
    "recipientemail",
    "recipientfirstname",
    "recipientlastname",
    "emailaddress",
    "name",
    "locationlatitude",
    "locationlongitude",
    "locationaccuracy",
    "externalreference",
    "externaldatareference",
}


@dataclass(frozen=True)
class Layout:
    """What the header rows say: names, question texts, which columns are open text."""

    format: str
    names: list[str]
    questions: list[str]
    texts: list[str]
    first_data_row: int  # how many header rows come before the answers


def layout(rows: Sequence[list[str]]) -> Layout | None:
    """The Qualtrics layout of the first rows of a CSV, or None if it is not a Qualtrics export."""
    if len(rows) < 2:
        return None
    first, second = rows[0], rows[1]
    if len(rows) >= 3 and rows[2] and all(c.startswith('{"ImportId"') for c in rows[2] if c):
        ids = [_import_id(c) for c in rows[2]]
        texts = [n for n, i in zip(first, ids, strict=False) if _TEXT_ID.match(i)]
        return Layout("qualtrics", first, second, texts, 3)
    if first and re.fullmatch(r"V1", first[0]) and "responseid" in {h.lower() for h in second}:
        names = [s if re.fullmatch(r"V\d+", f) else f for f, s in zip(first, second, strict=False)]
        return Layout("qualtrics-legacy", names, second, [], 2)
    return None


def _import_id(cell: str) -> str:
    try:
        return str(json.loads(cell).get("ImportId", ""))
    except (ValueError, AttributeError):
        return ""


def mapping(lay: Layout, asked: Mapping) -> Mapping:
    """Score (an NPS question has a `_NPS_GROUP` twin), id, date and the metadata worth keeping."""
    names = [n for n in lay.names if n]
    nps = [n for n in names if f"{n}_NPS_GROUP" in names]
    date = next((n for n in ("RecordedDate", "EndDate", "StartDate") if n in names), None)
    rid = next((n for n in names if n.lower() == "responseid"), None)
    meta = tuple(
        n
        for n in names
        if "".join(words(n)) not in _PERSONAL
        and n not in lay.texts
        and not n.endswith("_NPS_GROUP")
        and n not in (rid, date, *nps)
        and not re.match(r"QID|Q\d", n)
    )
    found = Mapping(
        text=ANSWER,
        score=nps[0] if nps else None,
        scale="nps" if nps else None,
        id=RESPONSE,
        date=date,
        meta=(*meta, QUESTION),
    )
    return found.merged(asked)


def open_texts(lay: Layout, samples: Sequence[dict[str, Any]]) -> list[str]:
    """The open-text columns: from the ImportIds, or in a legacy export the wordy Q columns."""
    if lay.texts:
        return lay.texts
    found = []
    for name in lay.names:
        values = [str(s.get(name) or "") for s in samples if s.get(name)]
        if (
            re.fullmatch(r"Q\d+(?:_\d+)?(?:_TEXT)?", name)
            and values
            and sum(any(c.isalpha() for c in v) for v in values) > len(values) / 2
        ):
            found.append(name)
    return found


def answers(lay: Layout, texts: Sequence[str], record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One record per open-text answer of a response; previews and tests yield nothing."""
    status = str(record.get("Status", "")).strip().lower()
    channel = str(record.get("DistributionChannel", "")).strip().lower()
    if status in _SKIPPED_STATUS or channel in ("preview", "test"):
        return
    rid = next((str(v) for k, v in record.items() if k.lower() == "responseid" and v), "")
    questions = dict(zip(lay.names, lay.questions, strict=False))
    given = [c for c in texts if str(record.get(c) or "").strip()]
    for column in given or texts[:1]:  # a response with no comment still counts, once, as empty
        yield {
            **record,
            ANSWER: record.get(column, ""),
            RESPONSE: f"{rid}/{column}" if rid else "",
            QUESTION: questions.get(column, column),
        }
