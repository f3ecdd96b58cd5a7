"""Signed webhook deliveries: verify on the raw body, then turn the payload into verbatims.

Each adapter is a verifier (raw body and headers in, the delivery's id out, or Rejected) and a
parser (the JSON payload in, verbatims out). Signatures are compared in constant time; a
delivery whose timestamp is more than five minutes off is refused, so a captured request cannot
be replayed later (and the receiver drops repeats of a delivery id it has seen).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from ingest import delighted, typeform
from ingest.columns import leading_number
from ingest.rows import given_or_none
from ticker.records import RecordError, Verbatim
from ticker.sources import Source

TOLERANCE = 300  # seconds, as Standard Webhooks asks


class Rejected(Exception):
    """A delivery that is not let in; `status` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


Headers = Mapping[str, str]
Verify = Callable[[str, Headers, bytes, float], str]
Parse = Callable[[Source, Any], list[Verbatim]]


def _equal(expected: bytes, given: str) -> bool:
    return hmac.compare_digest(expected, given.encode())


def _fresh(timestamp: str, now: float) -> None:
    try:
        age = abs(now - int(timestamp))
    except ValueError:
        raise Rejected(401, "timestamp header is not a number") from None
    if age > TOLERANCE:
        raise Rejected(401, f"delivery is {age:.0f} s old; more than {TOLERANCE} s is refused")


def verify_generic(secret: str, headers: Headers, body: bytes, now: float) -> str:
    """`X-Voc-Signature: sha256=<hex HMAC of "{timestamp}.{body}">` (docs/sources.md)."""
    delivery, stamp = headers.get("x-voc-delivery", ""), headers.get("x-voc-timestamp", "")
    given = headers.get("x-voc-signature", "")
    if not (delivery and stamp and given.startswith("sha256=")):
        raise Rejected(401, "missing X-Voc-Delivery, X-Voc-Timestamp or X-Voc-Signature")
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not _equal(("sha256=" + mac).encode(), given):
        raise Rejected(401, "signature does not match")
    _fresh(stamp, now)
    return delivery


def verify_typeform(secret: str, headers: Headers, body: bytes, now: float) -> str:
    """`Typeform-Signature: sha256=<base64 HMAC-SHA256 of the body>`; the id is the event_id."""
    given = headers.get("typeform-signature", "")
    mac = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    if not given or not _equal(b"sha256=" + mac, given):
        raise Rejected(401, "Typeform-Signature missing or does not match")
    try:
        return str(json.loads(body)["event_id"])
    except (ValueError, KeyError, TypeError):
        raise Rejected(400, "a Typeform delivery without an event_id") from None


def verify_standard(secret: str, headers: Headers, body: bytes, now: float) -> str:
    """Standard Webhooks (Formbricks): webhook-id, webhook-timestamp, webhook-signature v1,<b64>."""
    delivery, stamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    given = headers.get("webhook-signature", "")
    if not (delivery and stamp and given):
        raise Rejected(401, "missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"))
    except ValueError:
        raise Rejected(500, "the source's secret is not a whsec_ base64 key") from None
    signed = delivery.encode() + b"." + stamp.encode() + b"." + body
    mac = b"v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    if not any(_equal(mac, candidate) for candidate in given.split()):
        raise Rejected(401, "webhook-signature does not match")
    _fresh(stamp, now)
    return delivery


def verify_delighted(secret: str, headers: Headers, body: bytes, now: float) -> str:
    """`X-Delighted-Webhook-Signature: sha256=<hex HMAC-SHA256 of the body>`, keyed by the API key.

    Delighted signs no timestamp, so a replay cannot be refused by age: it is dropped by its
    event_id instead, like every repeat.
    """
    given = headers.get("x-delighted-webhook-signature", "").strip()
    mac = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not given or not _equal(("sha256=" + mac).encode(), given.lower()):
        raise Rejected(401, "X-Delighted-Webhook-Signature missing or does not match")
    try:
        return str(json.loads(body)["event_id"])
    except (ValueError, KeyError, TypeError):
        raise Rejected(400, "a Delighted delivery without an event_id") from None


def parse_generic(source: Source, payload: Any) -> list[Verbatim]:
    """`{"id", "text", "score"?, "scale"?, "given_at"?, "meta"?}`, or a list of those."""
    items = payload if isinstance(payload, list) else [payload]
    found = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise RecordError("each item must be an object with a text")
        found.append(
            _verbatim(
                source,
                item["text"],
                item.get("id"),
                item.get("score"),
                item.get("scale"),
                item.get("given_at"),
                source.pick(item.get("meta") or {}, item.get("meta") or {}),
            )
        )
    return found


def parse_typeform(source: Source, payload: Any) -> list[Verbatim]:
    """A `form_response`: its definition names the fields; see ingest/typeform.py."""
    response = payload.get("form_response") if isinstance(payload, dict) else None
    if not isinstance(response, dict):
        raise RecordError("not a Typeform form_response")
    definition = response.get("definition")
    fields = typeform.form_fields(definition.get("fields") if isinstance(definition, dict) else [])
    return typeform.verbatims(source, response, fields)


def parse_formbricks(source: Source, payload: Any) -> list[Verbatim]:
    """`{webhookId, event, data}`: answers in data.data keyed by question id, named in `text`."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        raise RecordError("not a Formbricks response event")
    answers = data["data"]
    score = answers.get(source.score) if source.score else None
    meta = {k: str(v) for k, v in (data.get("meta") or {}).items() if isinstance(v, str)}
    if data.get("language"):
        meta["language"] = str(data["language"])
    meta = source.pick({**answers, **meta}, meta)
    return [
        _verbatim(
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


def parse_delighted(source: Source, payload: Any) -> list[Verbatim]:
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
    found = delighted.response(source, data)
    return [found] if found is not None else []


def _verbatim(
    source: Source, text: str, rid: Any, score: Any, scale: Any, when: Any, meta: Any
) -> Verbatim:
    number = leading_number(score) if score not in (None, "") else None
    if score not in (None, "") and number is None:
        raise RecordError(f"score {score!r} is not a number")
    given = given_or_none(when)
    return Verbatim(
        source=source.name,
        text=text,
        response_id=str(rid) if rid else None,
        score=number,
        scale=scale if number is not None else None,
        given_at=given,
        meta={str(k): str(v) for k, v in dict(meta).items()},
    )


ADAPTERS: dict[str, tuple[Verify, Parse]] = {
    "webhook": (verify_generic, parse_generic),
    "typeform-webhook": (verify_typeform, parse_typeform),
    "formbricks-webhook": (verify_standard, parse_formbricks),
    "delighted-webhook": (verify_delighted, parse_delighted),
}


def now() -> float:
    return time.time()
