"""Formbricks: `responseFinished` (and created, updated) events, signed as Standard Webhooks.

The event is `{webhookId, event, data}`: `data.data` holds the answers keyed by question id, and
the source names in `text` which are comments (and in `score` the score's); `data.meta` holds
what Formbricks knows of the visit (country, url, a user agent object), of which the plain
strings are kept, with the response's language.
"""

from __future__ import annotations

from typing import Any

from ingest.adapter import Webhook
from ingest.webhooks import shape, verbatim, verify_standard
from ticker.records import RecordError, Verbatim
from ticker.sources import Source


def parse(source: Source, payload: Any) -> list[Verbatim]:
    """The comments of one response event; RecordError when it is not shaped like one."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        raise RecordError("not a Formbricks response event")
    answers = data["data"]
    score = answers.get(source.score) if source.score else None
    visit = data.get("meta") or {}
    if not isinstance(visit, dict):
        raise RecordError(f"data.meta must be an object, not {shape(visit)}")
    meta = {str(k): v for k, v in visit.items() if isinstance(v, str)}
    if data.get("language"):
        meta["language"] = str(data["language"])
    meta = source.pick({**answers, **meta}, meta)
    return [
        verbatim(
            source,
            answers[q],
            f"{data.get('id')}/{q}",
            score,
            source.scale,
            data.get("updatedAt") or data.get("createdAt"),
            meta,
        )
        for q in source.text
        if isinstance(answers.get(q), str) and answers[q].strip()
    ]


ADAPTERS = (Webhook("formbricks-webhook", verify_standard, parse),)
