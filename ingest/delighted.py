"""Delighted: `GET /v1/survey_responses.json`, a bare array per page, pulled by `updated_since`.

Comments usually arrive on an update (the score first, the comment later), so a pull asks for
everything updated since the last complete pull; a response without a comment yet is skipped
and taken when its update comes. The cursor moves only when a pull has read every page: a pull
stopped half-way reads its pages again next time (rows are keyed by response id, so nothing is
stored twice) rather than skip any.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, cast

import httpx

from ingest.api import Page, PullError, get_json
from ingest.rows import given_or_none
from ticker.pipeline import Row
from ticker.records import Scale, Verbatim
from ticker.sources import Source

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
        found: list[Row] = [v for item in items if (v := response(source, item)) is not None]
        for item in items:
            if isinstance(item, dict):
                newest = max(newest, int(item.get("updated_at") or item.get("created_at") or 0))
        done = len(items) < PAGE_SIZE
        yield Page(found, str(newest) if done else cursor, len(items) - len(found))
        if done:
            return
        page += 1


def response(source: Source, item: Any) -> Verbatim | None:
    """A response with a comment as a verbatim; None while it has none."""
    if not isinstance(item, dict):
        return None
    comment = item.get("comment")
    if not isinstance(comment, str) or not comment.strip():
        return None
    kind = str(item.get("survey_type") or "nps")
    # a configured scale was checked against SCALES when the config was read
    scale = SURVEY_SCALES.get(kind, "nps") if source.scale is None else cast(Scale, source.scale)
    raw = item.get("score")
    score = float(raw) if isinstance(raw, int | float) and scale is not None else None
    props = item.get("person_properties") or {}
    meta = {str(k): str(v) for k, v in props.items() if isinstance(v, str | int | float)}
    meta = source.pick({**item, **props}, meta)
    given = given_or_none(item.get("updated_at") or item.get("created_at"))
    scale = scale if score is not None else None
    return Verbatim(source.name, comment, str(item.get("id")), score, scale, given, meta)
