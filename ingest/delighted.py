"""Delighted: `GET /v1/survey_responses.json`, a bare array per page, pulled by `updated_since`;
and its `survey_response.created/updated` webhooks, which carry the same response.

Comments usually arrive on an update (the score first, the comment later), so a pull asks for
everything updated since the last complete pull; a response without a comment yet is skipped
and taken when its update comes. The cursor moves only when a pull has read every page: a pull
stopped half-way reads its pages again next time (rows are keyed by response id, so nothing is
stored twice) rather than skip any.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from typing import Any, cast

import httpx

from ingest.adapter import Headers, Pull, Webhook
from ingest.api import Page, PullError, get_json
from ingest.columns import leading_number
from ingest.dates import given_or_none
from ingest.webhooks import Rejected, equal, shape
from ticker.pipeline import Row
from ticker.records import RecordError, Scale, Verbatim
from ticker.sources import Source
from ticker.store import QuarantinedRow

PAGE_SIZE = 100
API = "https://api.delighted.com"
SURVEY_SCALES: dict[str, Scale | None] = {
    "nps": "nps",
    "csat": "csat5",
    "ces": None,
    "smileys": "csat5",
    "5_star": "stars5",
}


def pages(
    source: Source,
    token: str,
    cursor: str | None,
    client: httpx.Client,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Page]:
    """Pages of responses updated since `cursor` (Unix seconds), until one comes back short."""
    url = f"{source.url or API}/v1/survey_responses.json"
    since = int(cursor) if cursor else 0
    newest, page = since, 1
    while True:
        params = {"per_page": PAGE_SIZE, "page": page, "updated_since": since}
        items = get_json(client, url, params, sleep, "Delighted", auth=(token, ""))
        if not isinstance(items, list):
            raise PullError("schema", "the answer is not a list of survey responses; API changed?")
        found: list[Row] = []
        for item in items:
            try:
                verbatim = response(source, item)
            except RecordError as exc:
                found.append(QuarantinedRow(0, str(exc), json.dumps(item, default=str)[:100_000]))
                continue
            if verbatim is not None:
                found.append(verbatim)
        for item in items:
            if isinstance(item, dict):
                newest = max(newest, int(item.get("updated_at") or item.get("created_at") or 0))
        done = len(items) < PAGE_SIZE
        yield Page(found, str(newest) if done else cursor, len(items) - len(found))
        if done:
            return
        page += 1


def response(source: Source, item: Any) -> Verbatim | None:
    """A response with a comment as a verbatim; None while it has none.

    Raises RecordError for a response that is not shaped like one (person_properties a list).
    """
    if not isinstance(item, dict):
        return None
    comment = item.get("comment")
    if not isinstance(comment, str) or not comment.strip():
        return None
    kind = str(item.get("survey_type") or "nps")
    # a configured scale was checked against SCALES when the config was read
    scale = SURVEY_SCALES.get(kind, "nps") if source.scale is None else cast(Scale, source.scale)
    raw = item.get("score")
    score = leading_number(raw) if isinstance(raw, int | float) and scale is not None else None
    props = item.get("person_properties") or {}
    if not isinstance(props, dict):
        raise RecordError(f"person_properties must be an object, not {shape(props)}")
    meta = {str(k): str(v) for k, v in props.items() if isinstance(v, str | int | float)}
    meta = source.pick({**item, **props}, meta)
    given = given_or_none(item.get("updated_at") or item.get("created_at"))
    scale = scale if score is not None else None
    return Verbatim(source.name, comment, str(item.get("id")), score, scale, given, meta)


def verify_webhook(secret: str, headers: Headers, body: bytes, now: float) -> str:
    """`X-Delighted-Webhook-Signature: sha256=<hex HMAC-SHA256 of the body>`, keyed by the API key.

    Delighted signs no timestamp, so a replay cannot be refused by age: it is dropped by its
    event_id instead, like every repeat.
    """
    given = headers.get("x-delighted-webhook-signature", "").strip()
    mac = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not given or not equal(("sha256=" + mac).encode(), given.lower()):
        raise Rejected(401, "X-Delighted-Webhook-Signature missing or does not match")
    try:
        return str(json.loads(body)["event_id"])
    except (ValueError, KeyError, TypeError):
        raise Rejected(400, "a Delighted delivery without an event_id") from None


def parse_webhook(source: Source, payload: Any) -> list[Verbatim]:
    """`survey_response.created/updated`: the response as the list API gives it, person expanded.

    The comment usually comes with an update; an event without one, or an unsubscribe, adds
    nothing (and is still answered, so Delighted does not retry it).
    """
    if not isinstance(payload, dict) or not str(payload.get("event_type", "")):
        raise RecordError("not a Delighted event (no event_type)")
    if not str(payload["event_type"]).startswith("survey_response."):
        return []
    data = payload.get("event_data")
    if not isinstance(data, dict):
        raise RecordError("a survey_response event without event_data")
    found = response(source, data)
    return [found] if found is not None else []


ADAPTERS = (
    Pull("delighted", pages),
    Webhook("delighted-webhook", verify_webhook, parse_webhook),
)
