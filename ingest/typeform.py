"""Typeform: responses from the Responses API, from webhooks, and from the CSV download.

A webhook delivery is signed `Typeform-Signature: sha256=<base64 HMAC-SHA256 of the body>` and
carries one `form_response` with the form's definition, so its fields are named without asking.

A response (an API item, or a webhook's `form_response`) holds answers typed by what they hold
(`text`, `number`, `choice`…) with their field's id, ref and type. Its comments are the answers
to the fields a source names in `text` (ids or refs), else every long-text answer; the score is
the field named in `score`, else an NPS field (or an 11-step opinion scale from 0). The API is
read newest first with `since` (inclusive) and `before` (the last token of a page); its cursor
is the newest `submitted_at` of a complete pull, and the next pull asks from an hour before it,
as Typeform may list a response some minutes after it was submitted (rows are keyed by token, so
the overlap stores nothing twice).

The CSV (Results > Responses > Download) has `#` (the response token), one column per question
titled with it (a multiple-choice question one column per choice), hidden fields, then
`Response Type`, `Start Date (UTC)`, `Stage Date (UTC)`, `Submit Date (UTC)`, `Network ID` and
`Tags` (older exports: only the dates and `Network ID`). Where a second header row names the
choices or fields under their question (its `#` cell is empty: every response has a token),
it is read as part of the column names; so is a first row holding each question above the
first column of its group only, blank elsewhere (even above `#`), with `#`, the choices and
the stand-alone questions in the second (ingest/headers.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

import httpx

from ingest import headers
from ingest.adapter import Headers, Pull, Webhook
from ingest.api import Page, PullError, Sleep, get_json
from ingest.columns import leading_number
from ingest.dates import given_or_none
from ingest.personal import labels
from ingest.survey import Layout, clean, unique
from ingest.webhooks import Rejected, equal, shape
from ticker.pipeline import Row
from ticker.records import RecordError, Scale, Verbatim
from ticker.sources import Source
from ticker.store import QuarantinedRow

API = "https://api.typeform.com"
PAGE_SIZE = 1000
OVERLAP = timedelta(hours=1)
NOT_SUBMITTED = "0001-01-01"  # submitted_at of a response that was opened, never submitted

SYSTEM = {
    "#",
    "Response Type",
    "Start Date (UTC)",
    "Stage Date (UTC)",
    "Submit Date (UTC)",
    "Network ID",
    "Tags",
    "Score",
    "Ending",
}
DROPPED = {"#", "Start Date (UTC)", "Stage Date (UTC)", "Network ID", "Score"}


def layout(rows: Sequence[list[str]]) -> Layout | None:
    """The layout of a Typeform CSV's header row(s), or None if it is not one."""
    if not rows or not rows[0]:
        return None
    first = [clean(c) for c in rows[0]]
    second = [clean(c) for c in rows[1]] if len(rows) > 1 else []
    if first[0] == "#":  # choices, if named, are in a second row whose `#` cell is empty
        header_rows = 2 if second and not second[0] and any(second) else 1
    elif second and second[0] == "#" and headers.shape(rows) == "above-first":
        header_rows = 2  # questions above their first choice only, `#` in the second row
    else:
        return None
    names, questions = headers.names(rows, SYSTEM) if header_rows == 2 else (first, first)
    if not {"Submit Date (UTC)", "Start Date (UTC)"} & set(names):
        return None
    names = unique(names)
    return Layout(
        format="typeform",
        names=names,
        questions=questions,
        first_data_row=header_rows,
        system=frozenset(n for n in names if n in SYSTEM),
        dropped=frozenset(n for n in names if n in DROPPED),
        id="#",
        date="Submit Date (UTC)" if "Submit Date (UTC)" in names else "Start Date (UTC)",
        date_fallback="Stage Date (UTC)" if "Stage Date (UTC)" in names else "Start Date (UTC)",
        utc=True,
    )


Fields = dict[str, dict[str, Any]]  # field id and ref -> the field as the form defines it


def form_fields(fields: Any) -> Fields:
    """The form's fields by id and by ref, group fields' inner ones included.

    Raises RecordError for a field whose `properties` is not an object.
    """
    found: Fields = {}
    for field in fields if isinstance(fields, list) else []:
        if not isinstance(field, dict):
            continue
        for key in (field.get("id"), field.get("ref")):
            if isinstance(key, str) and key:
                found[key] = field
        found.update(form_fields(_properties(field).get("fields")))
    return found


def _properties(field: dict[str, Any]) -> dict[str, Any]:
    """A field's `properties` (steps, start_at_one, a group's inner fields)."""
    props = field.get("properties") or {}
    if not isinstance(props, dict):
        raise RecordError(f"the properties of field {field.get('id')!r} are {shape(props)}")
    return props


def verbatims(source: Source, response: Any, fields: Fields) -> list[Verbatim]:
    """A response's comments; RecordError when it is not shaped like a Typeform response."""
    if not isinstance(response, dict) or not isinstance(response.get("answers") or [], list):
        raise RecordError("not a Typeform response (no answers list)")
    answers = [a for a in response.get("answers") or [] if isinstance(a, dict)]
    score, scale = _score(source, answers, fields)
    submitted = str(response.get("submitted_at") or "")
    when = response.get("landed_at") if submitted.startswith(NOT_SUBMITTED) else submitted
    given = given_or_none(when)
    hidden = response.get("hidden") if isinstance(response.get("hidden"), dict) else {}
    meta = labels(hidden or {})
    available = {**(hidden or {})}
    for answer in answers:
        for key in _keys(_field(answer)):
            available[key] = _value(answer)
    token = response.get("token")  # without one, each comment is keyed by its content
    found = []
    for answer in answers:
        field = _field(answer)
        keys = _keys(field)
        wanted = bool(keys & set(source.text)) if source.text else field.get("type") == "long_text"
        if not wanted or answer.get("type") != "text":
            continue
        text = answer.get("text")
        if not isinstance(text, str):
            raise RecordError(f"the answer to field {field.get('id')} is not text")
        if text.strip():
            title = fields.get(str(field.get("id")), {}).get("title") or ""
            found.append(
                Verbatim(
                    source=source.name,
                    text=text,
                    response_id=f"{token}/{field.get('id')}" if token else None,
                    score=score,
                    scale=scale if score is not None else None,
                    given_at=given,
                    meta=source.pick(available, {**meta, "question": str(title)})
                    if title
                    else source.pick(available, meta),
                )
            )
    return found


def _score(
    source: Source, answers: list[dict[str, Any]], fields: Fields
) -> tuple[float | None, Scale | None]:
    """The score answer: the field the source names, else the form's NPS question."""
    for answer in answers:
        field = _field(answer)
        keys = _keys(field)
        defined = fields.get(str(field.get("id")), field)
        chosen = source.score in keys if source.score else _is_nps(defined)
        if chosen and answer.get("type") == "number":
            number = leading_number(answer.get("number"))
            if number is None:
                raise RecordError(f"the score answer {answer.get('number')!r} is not a number")
            scale = cast(Scale | None, source.scale) or _scale_of(defined)
            return (number, scale) if scale else (None, None)  # no scale: the comment, unscored
    return None, None


def _scale_of(field: dict[str, Any]) -> Scale | None:
    """The scale a field's definition implies: NPS, 5 stars, or a 1-5 opinion scale."""
    props = _properties(field)
    if _is_nps(field):
        return "nps"
    if field.get("type") == "rating" and props.get("steps", 5) == 5:
        return "stars5"
    if (
        field.get("type") == "opinion_scale"
        and props.get("steps") == 5
        and props.get("start_at_one")
    ):
        return "csat5"
    return None


def _value(answer: dict[str, Any]) -> Any:
    """What an answer holds, as metadata can keep it: a choice's label, labels joined…"""
    kind = str(answer.get("type"))
    value = answer.get(kind)
    if kind == "choice" and isinstance(value, dict):
        return value.get("label") or value.get("other")
    if kind == "choices" and isinstance(value, dict):
        chosen = value.get("labels") or []
        if not isinstance(chosen, list):
            raise RecordError(f"the labels of a choices answer are {shape(chosen)}, not a list")
        return ", ".join(str(v) for v in [*chosen, value.get("other")] if v)
    return value


def _field(answer: dict[str, Any]) -> dict[str, Any]:
    field = answer.get("field")
    return field if isinstance(field, dict) else {}


def _keys(field: dict[str, Any]) -> set[str]:
    """The id and ref an answer's field is known by; RecordError when one is not text."""
    keys = set()
    for name in ("id", "ref"):
        key = field.get(name)
        if key is not None and not isinstance(key, str):
            raise RecordError(f"the {name} of an answer's field is {shape(key)}, not text")
        if key:
            keys.add(key)
    return keys


def _is_nps(field: dict[str, Any]) -> bool:
    """Typeform's NPS field, or an opinion scale of 11 steps starting at 0."""
    props = _properties(field)
    return field.get("type") == "nps" or (
        field.get("type") == "opinion_scale"
        and props.get("steps") == 11
        and not props.get("start_at_one", False)
    )


def pages(
    source: Source, token: str, cursor: str | None, client: httpx.Client, sleep: Sleep = time.sleep
) -> Iterator[Page]:
    """Every response submitted since the cursor (less the overlap), newest first."""
    base = f"{source.url or API}/forms/{source.survey}"
    auth = {"headers": {"Authorization": f"Bearer {token}"}}
    form = get_json(client, base, {}, sleep, "Typeform", **auth)
    try:
        fields = form_fields(form.get("fields") if isinstance(form, dict) else None)
    except RecordError as exc:
        raise PullError("schema", f"form {source.survey}: {exc}; has the API changed?") from None
    if not fields:
        raise PullError("schema", f"form {source.survey} has no fields; has the API changed?")
    missing = [f for f in (*source.text, source.score) if f and f not in fields]
    if missing:
        raise PullError(
            "schema",
            f"field(s) {', '.join(missing)} are not in form {source.survey} any more; has the "
            "form changed? Its fields: "
            + ", ".join(sorted({f"{f.get('ref') or f.get('id')}" for f in fields.values()})),
        )
    params: dict[str, Any] = {"page_size": PAGE_SIZE}
    if cursor:
        since = datetime.fromisoformat(cursor.replace("Z", "+00:00")) - OVERLAP
        params["since"] = since.strftime("%Y-%m-%dT%H:%M:%S")
    newest = cursor
    while True:
        body = get_json(client, f"{base}/responses", params, sleep, "Typeform", **auth)
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise PullError("schema", "the answer has no items list; has the API changed?")
        rows: list[Row] = []
        skipped = 0
        for item in items:
            try:
                found = verbatims(source, item, fields)
            except RecordError as exc:
                rows.append(QuarantinedRow(0, str(exc), json.dumps(item, default=str)[:100_000]))
                continue
            rows += found
            skipped += not found
            submitted = str(item.get("submitted_at") or "") if isinstance(item, dict) else ""
            if submitted and not submitted.startswith(NOT_SUBMITTED):
                newest = max(newest or submitted, submitted)
        done = not items or int(body.get("page_count") or 0) <= 1
        yield Page(rows, newest if done else cursor, skipped)
        if done:
            return
        params["before"] = items[-1].get("token")


def verify_webhook(secret: str, headers: Headers, body: bytes, now: float) -> str:
    """`Typeform-Signature: sha256=<base64 HMAC-SHA256 of the body>`; the id is the event_id."""
    given = headers.get("typeform-signature", "")
    mac = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    if not given or not equal(b"sha256=" + mac, given):
        raise Rejected(401, "Typeform-Signature missing or does not match")
    try:
        return str(json.loads(body)["event_id"])
    except (ValueError, KeyError, TypeError):
        raise Rejected(400, "a Typeform delivery without an event_id") from None


def parse_webhook(source: Source, payload: Any) -> list[Verbatim]:
    """A `form_response`: its definition names the fields."""
    response = payload.get("form_response") if isinstance(payload, dict) else None
    if not isinstance(response, dict):
        raise RecordError("not a Typeform form_response")
    definition = response.get("definition")
    fields = form_fields(definition.get("fields") if isinstance(definition, dict) else [])
    return verbatims(source, response, fields)


ADAPTERS = (
    Pull("typeform", pages, needs={"survey": "lT9Z2j (form id)"}),
    Webhook("typeform-webhook", verify_webhook, parse_webhook),
)
