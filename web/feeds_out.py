"""Feeds out: a feed as RSS 2.0, Atom, JSON Feed 1.1 and CSV, for readers and signage players.

Each is the feed's playlist as screens have it (so at most the playlist's size, however large the
store), newest first: only approved comments, the masked text, and only the metadata labels the
feed shows. Atom also carries an RFC 6721 `at:deleted-entry` for each comment of the feed hidden
in the last week. A body depends only on what the feed holds (its times are the comments'), so
its ETag (a digest) and Last-Modified (the newest comment or hide in it) stand until the feed
changes, and a conditional request that matches gets 304.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ticker.audit import defused
from ticker.feeds import Feed
from ticker.playlist import current_items
from ticker.protocol import Item
from ticker.records import abridge
from ticker.store import NotFound, Store
from web.access import covering, needs_token, refusal, token_param
from web.state import AppState

ATOM, TOMBSTONES = "http://www.w3.org/2005/Atom", "http://purl.org/atompub/tombstones/1.0"
FORMATS = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}
DELETED_FOR = timedelta(days=7)  # how long a hidden comment stays as a tombstone in Atom
TITLE_CHARS = 80
ET.register_namespace("", ATOM)
ET.register_namespace("at", TOMBSTONES)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the time of a feed with nothing in it


def _parsed(stamp: str | None) -> datetime:
    try:
        found = datetime.fromisoformat(str(stamp or "").replace("Z", "+00:00"))
    except ValueError:
        return EPOCH
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _when(item: Item, fallback: datetime) -> datetime:
    """When the comment was given, else when it came in (`_at`, set from the store)."""
    return _parsed(item.get("_at")) if "_at" in item else fallback


def _guid(base: str, feed: str, item_id: str) -> str:
    return f"{base}/feeds/{feed}#{item_id}"


def _label(item: Item) -> str:
    score = item.get("score")
    scale = {"nps": "NPS", "csat5": "CSAT", "stars5": "stars"}.get(str(item.get("scale")), "")
    said = f" · {scale} {score:g}" if isinstance(score, int | float) and scale else ""
    return f"{item['bucket']}{said} · {item['source']}"


def rss(feed: Feed, items: list[Item], base: str, now: datetime) -> str:
    root = ET.Element("rss", version="2.0")
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = feed.title
    ET.SubElement(channel, "link").text = f"{base}/display/{feed.name}"
    ET.SubElement(channel, "description").text = f"Customer comments: {feed.title}"
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(now)
    for item in items:
        entry = ET.SubElement(channel, "item")
        ET.SubElement(entry, "title").text = abridge(item["text"], TITLE_CHARS)
        ET.SubElement(entry, "description").text = item["text"]
        ET.SubElement(entry, "guid", isPermaLink="false").text = _guid(base, feed.name, item["id"])
        ET.SubElement(entry, "pubDate").text = format_datetime(_when(item, now))
        ET.SubElement(entry, "category").text = item["bucket"]
        ET.SubElement(entry, "author").text = f"noreply@invalid ({_label(item)})"
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def atom(
    feed: Feed, items: list[Item], base: str, now: datetime, deleted: list[tuple[str, str]]
) -> str:
    root = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(root, f"{{{ATOM}}}id").text = f"{base}/feeds/{feed.name}"
    ET.SubElement(root, f"{{{ATOM}}}title").text = feed.title
    ET.SubElement(root, f"{{{ATOM}}}updated").text = now.isoformat(timespec="seconds")
    ET.SubElement(root, f"{{{ATOM}}}link", rel="alternate", href=f"{base}/display/{feed.name}")
    ET.SubElement(root, f"{{{ATOM}}}link", rel="self", href=f"{base}/feeds/{feed.name}.atom")
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "VoC Ticker"
    for item in items:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = _guid(base, feed.name, item["id"])
        ET.SubElement(entry, f"{{{ATOM}}}title").text = abridge(item["text"], TITLE_CHARS)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _when(item, now).isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}content", type="text").text = item["text"]
        ET.SubElement(entry, f"{{{ATOM}}}category", term=item["bucket"])
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = _label(item)
    for item_id, when in deleted:
        ET.SubElement(
            root, f"{{{TOMBSTONES}}}deleted-entry", ref=_guid(base, feed.name, item_id), when=when
        )
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def json_feed(feed: Feed, items: list[Item], base: str, now: datetime) -> str:
    body = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": f"{base}/display/{feed.name}",
        "feed_url": f"{base}/feeds/{feed.name}.json",
        "items": [
            {
                "id": _guid(base, feed.name, item["id"]),
                "title": abridge(item["text"], TITLE_CHARS),
                "content_text": item["text"],
                "date_published": _when(item, now).isoformat(),
                "tags": [item["bucket"]],
                "_voc_ticker": {
                    k: item[k] for k in ("bucket", "score", "scale", "source", "pinned", "meta")
                },
            }
            for item in items
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=1)


def csv_feed(feed: Feed, items: list[Item]) -> str:
    """A flat table, one row a comment (signage data sets: Xibo, OptiSigns); text as text."""
    labels = sorted({k for item in items for k in item["meta"]})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "given_at", "bucket", "score", "scale", "source", "text", *labels])
    for item in items:
        cells = [item["id"], item["given_at"] or "", item["bucket"], item["score"], item["scale"]]
        cells += [item["source"], item["text"], *(item["meta"].get(k, "") for k in labels)]
        writer.writerow([defused(c) for c in map(_cell, cells)])
    return out.getvalue()


def _cell(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _deleted(store: Store, feed: Feed, since: datetime) -> list[tuple[str, str]]:
    """Comments of the feed's sources hidden since `since`, and when, for Atom's tombstones."""
    rows = store.db.execute(
        "SELECT l.verbatim_id, max(l.at) FROM curation_log l JOIN verbatims v ON v.id = "
        "l.verbatim_id WHERE l.action = 'hide' AND l.at >= ? AND v.state = 'hidden' "
        "GROUP BY l.verbatim_id ORDER BY max(l.at) DESC LIMIT 500",
        [since.isoformat(timespec="seconds")],
    ).fetchall()
    found = []
    for vid, when in rows:
        if feed.filter.admits(store.row(vid)):
            found.append((vid, when))
    return found


class Forbidden(Exception):
    """The feed needs a display token that the request did not bring."""


async def serve_feed(request: Request) -> Response:
    state: AppState = request.app.state.voc
    name, _, kind = request.path_params["file"].rpartition(".")
    if kind not in FORMATS or not name:
        return PlainTextResponse("feeds are NAME.rss, NAME.atom, NAME.json or NAME.csv", 404)
    shown = state.live.cached(name)
    secret = token_param(request.query_params)
    chars = state.settings.display_chars
    base = f"{request.url.scheme}://{request.url.netloc}"
    now = datetime.now(UTC).replace(microsecond=0)

    def build(store: Store) -> tuple[str, datetime]:
        feed = shown.feed if shown else store.feed(name)
        if needs_token(feed) and covering(store, name, secret) is None:
            raise Forbidden
        found = list(shown.items) if shown else current_items(store, feed, chars)
        stamps = dict(
            store.db.execute(
                "SELECT id, sort_at FROM verbatims WHERE id IN (SELECT value FROM json_each(?))",
                [json.dumps([i["id"] for i in found])],
            ).fetchall()
        )
        items = [{**i, "_at": stamps.get(i["id"])} for i in found]
        items.sort(key=lambda i: _when(i, EPOCH), reverse=True)
        deleted = _deleted(store, feed, now - DELETED_FOR) if kind == "atom" else []
        times = [_when(i, EPOCH) for i in items] + [_parsed(when) for _, when in deleted]
        latest = max(times, default=EPOCH)
        if kind == "rss":
            return rss(feed, items, base, latest), latest
        if kind == "atom":
            return atom(feed, items, base, latest, deleted), latest
        if kind == "json":
            return json_feed(feed, items, base, latest), latest
        return csv_feed(feed, items), latest

    try:
        body, latest = await state.readers.run(build)
    except NotFound:
        return PlainTextResponse(f"no feed named {name}", 404)
    except Forbidden:
        return PlainTextResponse(json.loads(refusal(name, secret).message)["message"], 403)
    tag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    headers = {
        "ETag": tag,
        "Last-Modified": format_datetime(latest, usegmt=True),
        # revalidate each time: a hide must leave within a second; a shared cache never keeps
        # what a token opened
        "Cache-Control": "private, no-cache" if secret else "no-cache",
    }
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=FORMATS[kind], headers=headers)
