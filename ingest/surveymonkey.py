"""SurveyMonkey: `GET /v3/surveys/{id}/responses/bulk`, read through `/details`.

Bulk responses carry only ids (question, row, choice); the survey's details say what each is.
Comments are the answers to the questions a source names in `text`, else to its essay and
single-line open-ended questions; the score is the question named in `score`, else the NPS
question (a one-row rating matrix of 11 choices, whose weights are the NPS groups, not the
score: the score is the choice's place, 0 to 10; another rating's score is its choice's weight,
or the number in its text). Completed responses are read oldest change first
(`sort_by=date_modified`), each page asked from the newest change of the last one
(`start_modified_at`, less a second) while `links.next` says there is more: page numbers would
shift under a response changed during the pull, and skip one. Each page is committed with the
newest `date_modified` on it, so a pull stopped anywhere resumes after its last page.
A response naming a question or choice the details do not have (the survey changed under the
pull) is quarantined with that reason, and the other responses go in.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx

from ingest.adapter import Pull
from ingest.api import Page, PullError, Sleep, get_json
from ingest.columns import leading_number
from ingest.dates import given_or_none
from ingest.personal import SURVEYMONKEY_KEYS, labels
from ticker.pipeline import Row
from ticker.records import RecordError, Scale, Verbatim
from ticker.sources import Source
from ticker.store import QuarantinedRow

API = "https://api.surveymonkey.com"
PAGE_SIZE = 100  # the most /responses/bulk gives
_SKIPPED_MODE = {"preview", "survey_preview"}


@dataclass(frozen=True)
class Question:
    """A question of the survey as /details describes it."""

    id: str
    family: str
    subtype: str
    heading: str
    values: dict[str, float | None]  # choice id -> the score it stands for
    labels: dict[str, str]  # choice id -> its text
    open_text: bool


@dataclass(frozen=True)
class Survey:
    """What a pull needs to know of the survey: its questions, comments and score."""

    questions: dict[str, Question]
    texts: tuple[str, ...]
    score: str | None
    scale: Scale | None


def survey(source: Source, details: Any) -> Survey:
    """The survey's questions from /details; PullError when the source names missing ones."""
    if not isinstance(details, dict) or not isinstance(details.get("pages"), list):
        raise PullError("schema", "the survey details have no pages; has the API changed?")
    questions = {
        q.id: q
        for page in details["pages"]
        if isinstance(page, dict)
        for raw in page.get("questions") or []
        if isinstance(raw, dict) and (q := _question(raw)) is not None
    }
    missing = [q for q in (*source.text, source.score) if q and q not in questions]
    if missing:
        listed = ", ".join(f"{q.id} ({q.heading[:40]})" for q in questions.values())
        raise PullError(
            "schema",
            f"question(s) {', '.join(missing)} are not in survey {source.survey} any more; has "
            f"the survey changed? Its questions: {listed}",
        )
    texts = source.text or tuple(q.id for q in questions.values() if q.open_text)
    score = source.score or next((q.id for q in questions.values() if _is_nps(q)), None)
    scale = cast(Scale | None, source.scale)
    if score and scale is None:
        values = {v for v in questions[score].values.values() if v is not None}
        if _is_nps(questions[score]):
            scale = "nps"
        elif values and values <= {1.0, 2.0, 3.0, 4.0, 5.0}:
            scale = "csat5"  # else no scale: the comments flow without a score
    return Survey(questions, texts, score, scale)


def _question(raw: dict[str, Any]) -> Question | None:
    if raw.get("id") is None:
        return None
    answers = raw.get("answers") or {}
    choices = [c for c in answers.get("choices") or [] if isinstance(c, dict)]
    choices.sort(key=lambda c: leading_number(c.get("position")) or 0)
    headings = raw.get("headings") or [{}]
    display = (raw.get("display_options") or {}).get("display_type")
    family, subtype = str(raw.get("family") or ""), str(raw.get("subtype") or "")
    nps = family == "matrix" and subtype == "rating" and len(choices) == 11
    return Question(
        id=str(raw["id"]),
        family=family,
        subtype=subtype,
        heading=str(headings[0].get("heading") or "") if isinstance(headings[0], dict) else "",
        values={
            str(c.get("id")): float(place) if nps else _value(c) for place, c in enumerate(choices)
        },
        labels={str(c.get("id")): str(c.get("text") or "") for c in choices},
        open_text=family == "open_ended"
        and subtype in ("essay", "single")
        and display not in ("slider", "file_upload"),
    )


def _is_nps(q: Question) -> bool:
    """SurveyMonkey's NPS question: a rating matrix of 11 choices (0 to 10)."""
    return q.family == "matrix" and q.subtype == "rating" and len(q.values) == 11


def _value(choice: dict[str, Any]) -> float | None:
    """A rating choice's score: its weight, else a number in its text ("4 - Good")."""
    weight = choice.get("weight")
    if isinstance(weight, int | float) and not isinstance(weight, bool):
        return float(weight)
    return leading_number(choice.get("text"))


def rows(source: Source, found: Survey, item: Any) -> list[Row]:
    """A response's comments; none for previews and screened-out responses.

    Raises RecordError when the response is not what the details describe.
    """
    if not isinstance(item, dict) or not isinstance(item.get("pages"), list):
        raise RecordError("not a SurveyMonkey response (no pages)")
    if item.get("collection_mode") in _SKIPPED_MODE:
        return []
    given: dict[str, list[dict[str, Any]]] = {}
    for page in item["pages"]:
        for q in page.get("questions") or [] if isinstance(page, dict) else []:
            if isinstance(q, dict):
                given[str(q.get("id"))] = [a for a in q.get("answers") or [] if isinstance(a, dict)]
    unknown = sorted(set(given) - set(found.questions))
    if unknown:
        raise RecordError(
            f"question(s) {', '.join(unknown)} are not in the survey's details; "
            "has the survey changed?"
        )
    score = _score(found, given)
    when = given_or_none(item.get("date_modified") or item.get("date_created"))
    custom = item.get("custom_variables") if isinstance(item.get("custom_variables"), dict) else {}
    meta = labels(custom or {})
    available: dict[str, Any] = dict(custom or {})
    for qid, answers in given.items():  # a store, plan or product picked from a list
        question = found.questions[qid]
        picked = [question.labels.get(str(a.get("choice_id")), "") for a in answers]
        said = [str(a.get("text")) for a in answers if a.get("text")]
        available[qid] = ", ".join([p for p in picked if p] + said)
        if question.family == "single_choice" and picked and picked[0]:
            meta[question.heading] = picked[0]
    out: list[Row] = []
    for qid in found.texts:
        text = "\n".join(str(a["text"]) for a in given.get(qid, []) if a.get("text"))
        if text.strip():
            out.append(
                Verbatim(
                    source=source.name,
                    text=text,
                    response_id=f"{item.get('id')}/{qid}",
                    score=score,
                    scale=found.scale if score is not None else None,
                    given_at=when,
                    meta=source.pick(available, {**meta, "question": found.questions[qid].heading}),
                )
            )
    return out


def _score(found: Survey, given: dict[str, list[dict[str, Any]]]) -> float | None:
    if not found.score or not given.get(found.score):
        return None
    question = found.questions[found.score]
    choice = str(given[found.score][0].get("choice_id"))
    if choice not in question.values:
        raise RecordError(
            f"choice {choice} of question {question.id} is not in the survey's details; "
            "has the survey changed?"
        )
    return question.values[choice] if found.scale else None


def pages(
    source: Source, token: str, cursor: str | None, client: httpx.Client, sleep: Sleep = time.sleep
) -> Iterator[Page]:
    """Responses changed since the cursor, oldest change first, page after page."""
    base = f"{source.url or API}/v3/surveys/{source.survey}"
    auth = {"headers": {"Authorization": f"bearer {token}"}}
    found = survey(source, get_json(client, f"{base}/details", {}, sleep, "SurveyMonkey", **auth))
    url, page = f"{base}/responses/bulk", 1
    while True:
        params: dict[str, Any] = {"per_page": PAGE_SIZE, "page": page, "status": "completed"}
        params |= {"sort_by": "date_modified", "sort_order": "ASC"}
        if cursor:
            params["start_modified_at"] = _earlier(cursor)
        body = get_json(client, url, params, sleep, "SurveyMonkey", **auth)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise PullError("schema", "the answer has no data list; has the API changed?")
        before = cursor
        out: list[Row] = []
        skipped = 0
        for item in data:
            if isinstance(item, dict):
                cursor = max(cursor or "", _utc(item.get("date_modified")) or "") or cursor
            try:
                made = rows(source, found, item)
            except RecordError as exc:
                out.append(QuarantinedRow(0, str(exc), _raw(item)))
                continue
            out += made
            skipped += not made
        yield Page(out, cursor, skipped)
        if not (body.get("links") or {}).get("next"):
            return
        page = page + 1 if cursor == before else 1  # a whole page changed in the same second


def _raw(item: Any) -> str:
    """A response for the quarantine, without the respondent's address, name and IP."""
    if isinstance(item, dict):
        item = {k: v for k, v in item.items() if k not in SURVEYMONKEY_KEYS}
    return json.dumps(item, default=str)[:100_000]


def _earlier(cursor: str) -> str:
    """A second before the cursor: `start_modified_at` may be exclusive."""
    moment = datetime.strptime(cursor, "%Y-%m-%dT%H:%M:%S") - timedelta(seconds=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _utc(stamp: Any) -> str | None:
    """`2018-05-31T23:32:50+00:00` as start_modified_at takes it: UTC, no offset."""
    try:
        moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


ADAPTERS = (Pull("surveymonkey", pages, needs={"survey": "123456789"}),)
