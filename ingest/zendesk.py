"""Zendesk CSAT: `GET /api/v2/satisfaction_ratings` with cursor pagination, pulled page by page.

A rating's score is `good` or `bad` (CSAT 5 or 1 here; the word is kept in metadata), `offered`
or `unoffered` when the customer has not rated yet; the comment is optional, and a rating with no
comment is no verbatim. Each page's resume point (`meta.after_cursor`) is committed with its rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from ingest.rows import parse_date
from ticker.records import Verbatim
from ticker.sources import Source

PAGE_SIZE = 100
RETRIES = 4
SCORES = {"good": 5.0, "good_with_comment": 5.0, "bad": 1.0, "bad_with_comment": 1.0}


class PullError(Exception):
    """A pull that cannot go on; `auth` failures must not be retried until someone acts."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Page:
    """One page of an API: its verbatims and where the next pull resumes after it."""

    verbatims: list[Verbatim]
    cursor: str | None
    skipped: int  # ratings without a comment, or not rated yet


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
        body = _get(client, f"{source.url}/api/v2/satisfaction_ratings", params, auth, sleep)
        ratings = body.get("satisfaction_ratings")
        meta = body.get("meta") or {}
        if not isinstance(ratings, list):
            raise PullError(
                "schema", "the answer has no satisfaction_ratings list; has the API changed?"
            )
        found = [v for r in ratings if (v := rating(source, r)) is not None]
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
    try:
        given = parse_date(item.get("updated_at") or item.get("created_at"))
    except ValueError:
        given = None
    return Verbatim(source.name, comment, str(item.get("id")), score, "csat5", given, meta)


def _get(
    client: httpx.Client,
    url: str,
    params: dict[str, Any],
    auth: tuple[str, str],
    sleep: Callable[[float], None],
) -> dict[str, Any]:
    """One GET with the platform's manners: wait out 429s, back off on 5xx, stop on 401/403."""
    for attempt in range(RETRIES + 1):
        try:
            response = client.get(url, params=params, auth=auth)
        except httpx.TransportError as exc:
            problem = f"cannot reach {url}: {exc}"
        else:
            if response.status_code in (401, 403):
                raise PullError(
                    "auth",
                    f"Zendesk refused the credentials ({response.status_code}); "
                    "check the token and user of this source",
                )
            if response.status_code == 429:
                wait = min(float(response.headers.get("retry-after", "60") or 60), 300.0)
                sleep(wait)
                continue
            if 400 <= response.status_code < 500:
                raise PullError(
                    "request",
                    f"Zendesk answered {response.status_code} for {url}; check the source's url",
                )
            if response.status_code < 400:
                try:
                    data = response.json()
                except ValueError:
                    data = None
                if not isinstance(data, dict):
                    raise PullError(
                        "schema", "the answer is not a JSON object; has the API changed?"
                    )
                return data
            problem = f"Zendesk answered {response.status_code}"
        if attempt == RETRIES:
            raise PullError("unavailable", f"{problem} (gave up after {RETRIES + 1} tries)")
        sleep(2.0**attempt)
    raise PullError("unavailable", f"still rate limited after {RETRIES + 1} tries")
