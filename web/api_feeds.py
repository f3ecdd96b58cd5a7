"""The feed builder's API: a draft's playlist as screens would get it, and what a form offers.

The preview goes the stream's own way (`current_items`, `snapshot_message`): the masked text,
the labels the feed shows, the action cards, pins first. Its work is the playlist's (index walks
stopped at the playlist's size) and the honesty meter's count, whatever the store holds.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from starlette.requests import Request

from ticker import honesty
from ticker.feeds import ACCESS, LAYOUTS, PACINGS, Feed, FeedError, parse, problems
from ticker.mixer import ugly_allowed
from ticker.pacing import cycle_seconds
from ticker.playlist import Shown, current_items, snapshot_message
from ticker.records import ALL_BUCKETS, SCALES
from ticker.spotlight import current
from ticker.store import Store
from web.api import Operation, state_of
from web.auth import Identity, Refused

SAMPLE = 2000  # newest comments whose metadata a form suggests
CATEGORY = 30  # a key with more values than this in the sample is free text, not offered
EMPTY = (
    "No comment matches this filter yet. Screens will show their calm placeholder "
    "(“No comments to show yet.”) until one does."
)


def check_editor(who: Identity, name: str, exists: bool) -> None:
    """Admins build any feed; a curator changes the feeds they curate, and makes none."""
    if who.user.role == "admin":
        return
    if who.user.role != "curator":
        raise Refused(
            403, f"building feeds is for admins and curators; {who.user.email} is a {who.user.role}"
        )
    if not exists:
        raise Refused(403, f"only an admin makes a new feed; there is no feed {name!r} yet")
    if who.user.feeds and name not in who.user.feeds:
        raise Refused(403, f"{who.user.email} does not curate the feed {name!r}")


def faults(store: Store, feed: Feed, configured: set[str], stored: bool = False) -> list[FeedError]:
    """What is wrong with a definition, sources nobody has heard of included."""
    found = problems(feed, stored)
    known = set(store.source_names()) | configured
    if unknown := sorted(set(feed.filter.sources) - known):
        listed = ", ".join(sorted(known)) or "none yet"
        found.append(
            FeedError(f"no source named {', '.join(unknown)}; known: {listed}", "filter.sources")
        )
    return found


def _definition(body: dict[str, Any], name: str | None = None) -> Feed:
    """The body as a feed named `name` (the path's), or the body's own name; Refused 422 if the
    body names another feed than the path."""
    if name is not None and body.get("name", name) != name:
        raise Refused(422, f"the body names feed {body.get('name')!r}, the path {name!r}")
    return parse({**body, "name": name if name is not None else body.get("name")})


def draft(store: Store, body: dict[str, Any], name: str, configured: set[str]) -> Feed:
    """A definition to save, or Refused 422 with the first thing wrong (its field first)."""
    try:
        feed = _definition(body, name)
    except FeedError as exc:
        raise Refused(422, str(exc)) from None
    if found := faults(store, feed, configured):
        raise Refused(422, f"{found[0].field}: {found[0]}" if found[0].field else str(found[0]))
    return feed


async def preview_feed(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    """A draft (unsaved) definition's playlist as screens would get it, and its honesty mix.

    Every problem comes back with its field; the playlist is built whenever the draft is sound
    enough to be (a name still to type; shares that do not add up yet, weighed as they are)."""
    state = state_of(request)
    name = body.get("name")
    if not isinstance(name, str):
        raise Refused(422, "name must be a string (required): the feed the draft is for")
    settings = state.settings
    configured = set(state.sources)

    def read(store: Store) -> dict[str, Any]:
        check_editor(who, name, store.has_feed(name))
        try:
            feed = _definition(body)
        except FeedError as exc:
            return {"problems": [exc.to_dict()], "snapshot": None}
        found = faults(store, feed, configured)
        sound = faults(store, feed, configured, stored=True)
        if any(p.field not in ("name", "title") for p in sound):  # what a playlist needs
            return {"problems": [p.to_dict() for p in found], "snapshot": None}
        items = current_items(store, feed, settings.display_chars)
        spot = current(store, feed, settings.display_chars)
        cycle = cycle_seconds(feed.display, [len(i["text"]) for i in items])
        comments = cycle_seconds(  # what the mixer's cap counted: the comments, not the notes
            feed.display, [len(i["text"]) for i in items if i["bucket"] != "action"]
        )
        return {
            "problems": [p.to_dict() for p in found],
            "snapshot": snapshot_message(Shown(feed, items, spot), settings.heartbeat_seconds),
            "empty": EMPTY if not items else None,
            "cycle_seconds": round(cycle, 1),
            "ugly_allowed": (
                ugly_allowed(feed.mix, comments, len(items))
                if feed.mix.ugly_per_hour is not None
                else None
            ),
            "mix": honesty.meter(store, feed, items).to_dict(),
        }

    result: dict[str, Any] = await state.readers.run(read)
    return result


async def feed_choices(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    """What a feed form offers: sources, languages seen, metadata values, scales, layouts."""
    state = state_of(request)

    def read(store: Store) -> dict[str, Any]:
        values: dict[str, Counter[str]] = {}
        for meta in store.recent_meta(SAMPLE):
            for key, value in meta.items():
                if isinstance(value, str):
                    values.setdefault(key, Counter())[value] += 1
        return {
            "sources": sorted(set(store.source_names()) | set(state.sources)),
            "languages": store.languages_seen(),
            "meta": {k: sorted(c) for k, c in sorted(values.items()) if len(c) <= CATEGORY},
            "scales": SCALES,
            "buckets": list(ALL_BUCKETS),
            "layouts": list(LAYOUTS),
            "pacings": list(PACINGS),
            "access": list(ACCESS),
            "defaults": Feed(name="", title="").to_dict(),  # what a new feed starts from
        }

    result: dict[str, Any] = await state.readers.run(read)
    return result


PROBLEM = {
    "type": "object",
    "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
}
OPERATIONS = [
    Operation(
        "POST",
        "/api/v1/feeds/preview",
        "read",
        "A draft feed's playlist as screens would get it, its honesty mix and its problems "
        "(admins, and curators of that feed).",
        preview_feed,
        body={
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}},
            "description": "a feed definition, as PUT /api/v1/feeds/{feed} takes",
        },
        answer={
            "type": "object",
            "properties": {
                "problems": {"type": "array", "items": PROBLEM},
                "snapshot": {"description": "the snapshot message screens would get, or null"},
                "empty": {"description": "what the preview says when nothing matches"},
                "cycle_seconds": {"type": "number"},
                "ugly_allowed": {"description": "ugly comments the cap per hour allows, or null"},
                "mix": {"type": "object"},
            },
        },
        tags=("feeds",),
    ),
    Operation(
        "GET",
        "/api/v1/feeds/choices",
        "read",
        "What a feed's form offers: sources, languages seen, metadata values, scales.",
        feed_choices,
        tags=("feeds",),
    ),
]
