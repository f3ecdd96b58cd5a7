"""Microsoft Teams messages for a Workflows webhook ("Post to a channel when a webhook request
is received"): one Adaptive Card 1.4 in a message's attachments.

Customer words go into RichTextBlock text runs, which show text as it is (no Markdown: no
link can be made of a comment). A message must stay under Teams' 28 KB: examples are left out,
the longest list first, until the card fits, and the card says how many were.
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from ticker.digest import EXAMPLE_CHARS, Digest, described
from ticker.protocol import Item
from ticker.records import abridge

MAX_BYTES = 28 * 1000  # Teams' "about 28 KB", with the envelope, counted safely
TITLES = {"good": "The good", "bad": "The bad", "ugly": "The ugly"}


def message(body: list[dict[str, Any]]) -> dict[str, Any]:
    """The envelope a Workflows webhook takes: a message with one Adaptive Card."""
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": body,
                },
            }
        ],
    }


def size(payload: dict[str, Any]) -> int:
    """Bytes of the request body, as it is sent."""
    return len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def _text(text: str, **style: Any) -> dict[str, Any]:
    """Our own words (never a customer's): a wrapped TextBlock."""
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _runs(*runs: dict[str, Any]) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", **r} for r in runs]}


def _comment(item: Item) -> dict[str, Any]:
    return {
        "type": "Container",
        "separator": True,
        "items": [
            _runs({"text": abridge(item["text"], EXAMPLE_CHARS)}),
            _runs({"text": described(item), "isSubtle": True, "size": "Small"}),
        ],
    }


def _digest_body(d: Digest, zone: ZoneInfo, examples: dict[str, list[Item]]) -> list[Any]:
    facts = [
        {"title": TITLES[b], "value": f"{n:,} said ({said:g} %) · {shown:g} % on screen"}
        for b, n, said, shown in d.counts()
    ]
    body: list[dict[str, Any]] = [
        _runs({"text": f"{d.title}: the good, the bad and the ugly", "size": "Large"}),
        _text(f"The last {d.period}, {d.window(zone)}: {d.said:,} comments from customers."),
        {"type": "FactSet", "facts": facts},
    ]
    if d.meter.praise_wall:
        body.append(
            _text("Screens show under half the bad and ugly customers gave.", color="Warning")
        )
    for bucket, items in examples.items():
        if items:
            body.append(_text(TITLES[bucket], weight="Bolder", separator=True))
            body.extend(_comment(i) for i in items)
    if not any(d.examples.values()):
        body.append(_text("No new comment on screens in this period.", isSubtle=True))
    return body


def digest_message(d: Digest, zone: ZoneInfo) -> dict[str, Any]:
    """A digest's card, under 28 KB: the longest list of examples loses its last one until
    it fits, and a line says how many were left out."""
    examples = {b: list(items) for b, items in d.examples.items()}
    left_out = 0
    payload = message(_digest_body(d, zone, examples))
    while size(payload) > MAX_BYTES and any(examples.values()):
        longest = max(examples, key=lambda b: len(examples[b]))
        examples[longest].pop()
        left_out += 1
        body = _digest_body(d, zone, examples)
        body.append(
            _text(
                f"{left_out} comment{'s' if left_out > 1 else ''} left out to fit Teams' "
                "28 KB message limit.",
                isSubtle=True,
            )
        )
        payload = message(body)
    return payload


def ugly_message(title: str, item: Item) -> dict[str, Any]:
    """One new ugly comment, as soon as screens may show it."""
    return message(
        [_runs({"text": f"New ugly comment on {title}", "weight": "Bolder"}), _comment(item)]
    )
