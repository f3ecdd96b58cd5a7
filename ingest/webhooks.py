"""Signed webhook deliveries: what every receiver shares, and the generic signed JSON webhook.

A webhook adapter is a verifier (raw body and headers in, the delivery's id out, or Rejected)
and a parser (the JSON payload in, verbatims out, or RecordError for a malformed one, which the
receiver quarantines). Signatures are compared in constant time; a delivery whose timestamp is
more than five minutes off is refused, so a captured request cannot be replayed later (and the
receiver drops repeats of a delivery id it has seen). Platforms' own adapters live in their
modules (typeform.py, delighted.py, formbricks.py) and use the helpers here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from ingest.adapter import Headers, Webhook
from ingest.columns import leading_number
from ingest.dates import given_or_none
from ticker.records import SCALES, RecordError, Verbatim
from ticker.sources import Source

TOLERANCE = 300  # seconds, as Standard Webhooks asks


class Rejected(Exception):
    """A delivery that is not let in; `status` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def equal(expected: bytes, given: str) -> bool:
    """A signature header against the one computed, in constant time."""
    return hmac.compare_digest(expected, given.encode())


def fresh(timestamp: str, now: float) -> None:
    """Refuse a delivery signed more than TOLERANCE seconds before now, or after it."""
    try:
        sent = int(timestamp)
    except ValueError:
        raise Rejected(401, "timestamp header is not a number") from None
    if sent - now > TOLERANCE:
        raise Rejected(
            401,
            f"delivery's timestamp is {sent - now:.0f} s in the future; "
            f"more than {TOLERANCE} s is refused",
        )
    if now - sent > TOLERANCE:
        raise Rejected(
            401, f"delivery is {now - sent:.0f} s old; more than {TOLERANCE} s is refused"
        )


def verify_generic(secret: str, headers: Headers, body: bytes, now: float) -> str:
    """`X-Voc-Signature: sha256=<hex HMAC of "{timestamp}.{body}">` (docs/sources.md)."""
    delivery, stamp = headers.get("x-voc-delivery", ""), headers.get("x-voc-timestamp", "")
    given = headers.get("x-voc-signature", "")
    if not (delivery and stamp and given.startswith("sha256=")):
        raise Rejected(401, "missing X-Voc-Delivery, X-Voc-Timestamp or X-Voc-Signature")
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not equal(("sha256=" + mac).encode(), given):
        raise Rejected(401, "signature does not match")
    fresh(stamp, now)
    return delivery


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
    if not any(equal(mac, candidate) for candidate in given.split()):
        raise Rejected(401, "webhook-signature does not match")
    fresh(stamp, now)
    return delivery


def parse_generic(source: Source, payload: Any) -> list[Verbatim]:
    """`{"id", "text", "score"?, "scale"?, "given_at"?, "meta"?}`, or a list of those."""
    items = payload if isinstance(payload, list) else [payload]
    found = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise RecordError("each item must be an object with a text")
        meta = item.get("meta") or {}  # PHP sends an empty object as []
        if not isinstance(meta, dict):
            raise RecordError(f"meta must be an object of labels and values, not {shape(meta)}")
        rid = item.get("id")
        if rid is not None and (isinstance(rid, bool) or not isinstance(rid, str | int | float)):
            raise RecordError(f"id must be a string or a number, not {shape(rid)}")
        found.append(
            verbatim(
                source,
                item["text"],
                rid,
                item.get("score"),
                item.get("scale"),
                item.get("given_at"),
                source.pick(meta, meta),
            )
        )
    return found


def verbatim(
    source: Source, text: str, rid: Any, score: Any, scale: Any, when: Any, meta: dict[str, Any]
) -> Verbatim:
    """A delivery's comment; RecordError names a score or scale that cannot be used."""
    number = leading_number(score) if score not in (None, "") else None
    if score not in (None, "") and number is None:
        raise RecordError(f"score {score!r} is not a number")
    if (
        number is not None
        and scale is not None
        and not (isinstance(scale, str) and scale in SCALES)
    ):
        raise RecordError(f"scale {scale!r} must be nps, csat5 or stars5")
    return Verbatim(
        source=source.name,
        text=text,
        response_id=str(rid) if rid else None,
        score=number,
        scale=scale if number is not None else None,
        given_at=given_or_none(when),
        meta={str(k): str(v) for k, v in meta.items()},
    )


def shape(value: Any) -> str:
    """What a JSON value is, for a message: `a list`, `a number`…"""
    names = {list: "a list", dict: "an object", str: "a string", bool: "a boolean"}
    return names.get(type(value), "a number" if isinstance(value, int | float) else "null")


def now() -> float:
    return time.time()


ADAPTERS = (Webhook("webhook", verify_generic, parse_generic),)
