"""Zendesk CSAT: `GET /api/v2/satisfaction_ratings` with cursor pagination, pulled page by page.

A rating's score is `good` or `bad` (CSAT 5 or 1 here; the word is kept in metadata), `offered`
or `unoffered` when the customer has not rated yet; the comment is optional, and a rating with no
comment is no verbatim. Each page's resume point (`meta.after_cursor`) is committed with its rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from ingest.adapter import Pull
from ingest.api import Page, PullError, get_json
from ingest.dates import given_or_none
from ticker.pipeline import Row
from ticker.records import Verbatim
from ticker.sources import Source

PAGE_SIZE = 100
SCORES = {"good": 5.0, "good_with_comment": 5.0, "bad": 1.0, "bad_with_comment": 1.0}


def pages(
    source: Source,
    token: str,
    cursor: str | None,
    client: httpx.Client,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Page]:
    """Every page after `cursor`, oldest first, until Zendesk says there is no more."""
    assert source.url and source.user
    auth = (f"{source.user}/token", token)
    while True:
        params: dict[str, Any] = {"page[size]": PAGE_SIZE}
        if cursor:
            params["page[after]"] = cursor
        url = f"{source.url}/api/v2/satisfaction_ratings"
        body = get_json(client, url, params, sleep, "Zendesk", auth=auth)
        if not isinstance(body, dict):
            raise PullError("schema", "the answer is not a JSON object; API changed?")
        ratings = body.get("satisfaction_ratings")
        meta = body.get("meta") or {}
        if not isinstance(ratings, list):
            raise PullError(
                "schema", "the answer has no satisfaction_ratings list; has the API changed?"
            )
        found: list[Row] = [v for r in ratings if (v := rating(source, r)) is not None]
        cursor = meta.get("after_cursor") or cursor
        yield Page(found, cursor, len(ratings) - len(found))
        if not meta.get("has_more"):
            return


def rating(source: Source, item: Any) -> Verbatim | None:
    """A rated comment as a verbatim; None for a rating with no comment or no score yet."""
    if not isinstance(item, dict):
        return None
    comment, score = item.get("comment"), SCORES.get(str(item.get("score")))
    if not isinstance(comment, str) or not comment.strip() or score is None:
        return None
    meta = {"zendesk_score": str(item["score"])}
    if item.get("reason"):
        meta["reason"] = str(item["reason"])
    meta = source.pick({**item, **meta}, meta)
    given = given_or_none(item.get("updated_at") or item.get("created_at"))
    return Verbatim(source.name, comment, str(item.get("id")), score, "csat5", given, meta)


ADAPTERS = (
    Pull("zendesk", pages, needs={"url": "https://acme.zendesk.com", "user": "cx-bot@acme.com"}),
)
