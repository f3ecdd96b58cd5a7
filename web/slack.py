"""Slack messages for an incoming webhook: Block Kit with a plain `text` fallback.

Customer words go into mrkdwn with `&`, `<` and `>` escaped, so a comment cannot ping
`<!channel>`, mention someone or make a link; each section stays under Block Kit's 3,000
characters and a message under its 50 blocks.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from ticker.digest import EXAMPLE_CHARS, Digest, described
from ticker.protocol import Item
from ticker.records import abridge

MAX_BLOCKS = 50
SECTION_CHARS = 3000
HEADER_CHARS = 150
TITLES = {"good": "The good", "bad": "The bad", "ugly": "The ugly"}


def escaped(text: str) -> str:
    """Text as mrkdwn shows it literally: Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": abridge(text, SECTION_CHARS)}}


def _comment(item: Item) -> dict[str, Any]:
    quoted = escaped(abridge(item["text"], EXAMPLE_CHARS)).replace("\n", "\n>")
    return _section(f">{quoted}\n_{escaped(described(item))}_")


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": abridge(text, HEADER_CHARS)}}


def digest_message(d: Digest, zone: ZoneInfo) -> dict[str, Any]:
    """A digest: a header, the counts and mix as fields, the period, then the examples."""
    fields = [
        {
            "type": "mrkdwn",
            "text": f"*{TITLES[b]}*\n{n:,} said ({said:g} %) · {shown:g} % on screen",
        }
        for b, n, said, shown in d.counts()
    ]
    note = f"The last {d.period}, {d.window(zone)}: {d.said:,} comments from customers."
    if d.meter.praise_wall:
        note += " :warning: Screens show under half the bad and ugly customers gave."
    blocks: list[dict[str, Any]] = [
        _header(f"{d.title}: the good, the bad and the ugly"),
        {"type": "section", "fields": fields},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": escaped(note)}]},
        {"type": "divider"},
    ]
    for bucket, items in d.examples.items():
        if items:
            blocks.append(_section(f"*{TITLES[bucket]}*"))
            blocks.extend(_comment(i) for i in items)
    if not any(d.examples.values()):
        blocks.append(_section("_No new comment on screens in this period._"))
    return {"text": escaped(d.summary()), "blocks": blocks[:MAX_BLOCKS]}


def ugly_message(title: str, item: Item) -> dict[str, Any]:
    """One new ugly comment, as soon as screens may show it."""
    lead = f"New ugly comment on {title}"
    return {
        "text": escaped(f"{lead}: {abridge(item['text'], 150)}"),
        "blocks": [_section(f"*{escaped(lead)}*"), _comment(item)],
    }
