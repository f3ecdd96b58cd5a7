"""The API of office screens (register, change, remove; online or not, what they show) and of
embeds' display tokens (make, list, revoke)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse

from ticker import display_tokens, screens
from web.api import Operation, Param, state_of, text_field
from web.api_curation import Guard, checked
from web.auth import Identity, Refused
from web.beats import FLUSH_SECONDS

SCREEN = Param("screen", "path", {"type": "string", "maxLength": 64}, "the screen's id")
TOKEN = Param("token", "path", {"type": "string", "maxLength": 64}, "the display token's id")
SLOT = {
    "type": "object",
    "properties": {
        "days": {"type": "array", "items": {"enum": list(screens.DAYS)}, "minItems": 1},
        "start": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
        "end": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
        "feed": {"type": "string", "maxLength": 64},
    },
    "required": ["days", "start", "end", "feed"],
}
FIELDS = {
    "name": {"type": "string", "maxLength": screens.MAX_TEXT},
    "location": {"type": "string", "maxLength": screens.MAX_TEXT},
    "feed": {"type": "string", "maxLength": 64},
    "schedule": {"type": "array", "items": SLOT, "maxItems": screens.MAX_SLOTS},
    "timezone": {"type": "string", "maxLength": 64},
}
CHANGE = {
    "type": "object",
    "properties": FIELDS,
    "required": ["name", "location", "feed"],
}
REGISTER = {
    "type": "object",
    "properties": {"code": {"type": "string", "maxLength": 20}, **FIELDS},
    "required": ["code", "name", "location", "feed"],
}
NEW_TOKEN = {
    "type": "object",
    "properties": {
        "label": {"type": "string", "maxLength": display_tokens.MAX_LABEL},
        "feeds": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 50},
    },
    "required": ["label", "feeds"],
}


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    return {k: body.get(k) for k in FIELDS}


def _feeds_named(body: dict[str, Any]) -> list[str]:
    """Every feed a screen or token body names, for a limited curator's check."""
    slots = body.get("schedule") or []
    named = [body.get("feed"), *(s.get("feed") for s in slots if isinstance(s, dict))]
    return [f for f in named if isinstance(f, str)]


async def list_screens(request: Request, who: Identity, body: dict[str, Any]) -> list[Any]:
    """Every screen, online or not, with what it showed at its last heartbeat."""
    state = state_of(request)
    await state.desk.beats.flush(state.desk.record)  # with the beats that came just now
    settings = state.settings
    online = settings.screen_heartbeat_seconds * 2 + FLUSH_SECONDS
    found = await state.readers.run(screens.listed)
    at = datetime.now(UTC)
    return [
        {
            **s.to_dict(),
            "status": s.status(at, online, settings.screen_offline_minutes),
            "feed_now": s.feed_at(at),
        }
        for s in found
    ]


async def register_screen(request: Request, who: Identity, body: dict[str, Any]) -> JSONResponse:
    """Register the screen showing `code`; it starts showing its feed within seconds."""
    code, fields = text_field(body, "code"), _fields(body)

    def work(guard: Guard) -> dict[str, Any]:
        for feed in _feeds_named(body):
            guard.check_feed(feed)
        return screens.register(guard.store, code, fields, who.actor).to_dict()

    registered = await checked(request, who, work)
    await state_of(request).access.mirror_now()  # edges know it (web/screen_relay.py)
    return JSONResponse(registered, 201)


def _screen_in_reach(guard: Guard, screen_id: str) -> screens.Screen:
    screen = screens.get(guard.store, screen_id)
    for feed in [screen.feed, *(s.feed for s in screen.schedule)]:
        guard.check_feed(feed)
    return screen


async def change_screen(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    screen_id = request.path_params["screen"]

    def work(guard: Guard) -> dict[str, Any]:
        _screen_in_reach(guard, screen_id)
        for feed in _feeds_named(body):
            guard.check_feed(feed)
        return screens.change(guard.store, screen_id, _fields(body), who.actor).to_dict()

    result: dict[str, Any] = await checked(request, who, work)
    state_of(request).access.sweep_soon()  # a feed it may no longer show closes now
    return result


async def remove_screen(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    """Forget a screen: its token is revoked and it goes dark, then shows a new code."""
    screen_id = request.path_params["screen"]

    def work(guard: Guard) -> dict[str, Any]:
        _screen_in_reach(guard, screen_id)
        screens.remove(guard.store, screen_id, who.actor)
        return {"removed": screen_id}

    result: dict[str, Any] = await checked(request, who, work)
    state_of(request).access.sweep_soon()
    return result


async def list_display_tokens(request: Request, who: Identity, body: dict[str, Any]) -> list[Any]:
    found = await state_of(request).readers.run(lambda s: display_tokens.listed(s, "embed"))
    return [t.to_dict() for t in found]


def links(base: str, feed: str, secret: str) -> dict[str, str]:
    """The addresses an embed or a player uses, with the token in the query string."""
    token, name = quote(secret, safe=""), quote(feed, safe="")
    return {
        "embed": f"{base}/embed/{name}?token={token}",
        "display": f"{base}/display/{name}?token={token}",
        "rss": f"{base}/feeds/{name}.rss?token={token}",
        "csv": f"{base}/feeds/{name}.csv?token={token}",
    }


async def add_display_token(request: Request, who: Identity, body: dict[str, Any]) -> JSONResponse:
    """Make an embed's token; its secret is in this answer only."""
    label = text_field(body, "label")
    feeds = body.get("feeds")
    if not isinstance(feeds, list) or not all(isinstance(f, str) for f in feeds):
        raise Refused(422, "feeds must be a list of the feed names the token may show")

    def work(guard: Guard) -> dict[str, Any]:
        for feed in feeds:
            guard.check_feed(feed)
        secret, token = display_tokens.add(guard.store, label, feeds, who.actor)
        return {"secret": secret, "token": token.to_dict(), "secret_shown_once": True}

    made: dict[str, Any] = await checked(request, who, work)
    base = f"{request.url.scheme}://{request.url.netloc}"
    made["links"] = {f: links(base, f, made["secret"]) for f in made["token"]["feeds"]}
    await state_of(request).access.mirror_now()
    return JSONResponse(made, 201)


async def revoke_display_token(
    request: Request, who: Identity, body: dict[str, Any]
) -> dict[str, Any]:
    """Revoke an embed's token: its screens go dark at once on this server, within
    `display_token_check_seconds` on others."""
    token_id = request.path_params["token"]

    def work(guard: Guard) -> dict[str, Any]:
        token = display_tokens.get(guard.store, token_id)
        if token.kind != "embed":
            raise Refused(409, "this is a screen's token: remove the screen instead")
        for feed in token.feeds:
            guard.check_feed(feed)
        return display_tokens.revoke(guard.store, token_id, who.actor).to_dict()

    result: dict[str, Any] = await checked(request, who, work)
    state_of(request).access.sweep_soon()
    return result


async def screens_waiting(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    """How many screens show a code now (the console's hint to register them)."""
    return {"waiting": await state_of(request).readers.run(screens.waiting)}


OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/screens",
        "read",
        "Registered screens: online, offline or lost, last seen and what they show now.",
        list_screens,
        answer={"type": "array"},
        tags=("screens",),
    ),
    Operation(
        "GET",
        "/api/v1/screens/waiting",
        "read",
        "How many new screens show a code, waiting to be registered.",
        screens_waiting,
        tags=("screens",),
    ),
    Operation(
        "POST",
        "/api/v1/screens",
        "curate",
        "Register the screen that shows this code: name, place and feed or schedule.",
        register_screen,
        body=REGISTER,
        status=201,
        tags=("screens",),
    ),
    Operation(
        "PUT",
        "/api/v1/screens/{screen}",
        "curate",
        "Change a screen's name, place, feed or schedule; it follows on its next heartbeat.",
        change_screen,
        (SCREEN,),
        body=CHANGE,
        tags=("screens",),
    ),
    Operation(
        "DELETE",
        "/api/v1/screens/{screen}",
        "curate",
        "Remove a screen: its display token is revoked and it goes dark.",
        remove_screen,
        (SCREEN,),
        tags=("screens",),
    ),
    Operation(
        "GET",
        "/api/v1/display-tokens",
        "curate",
        "Embeds' display tokens (never their secrets).",
        list_display_tokens,
        answer={"type": "array"},
        tags=("screens",),
    ),
    Operation(
        "POST",
        "/api/v1/display-tokens",
        "curate",
        "Make an embed's display token for feeds that need one; the secret is shown once.",
        add_display_token,
        body=NEW_TOKEN,
        status=201,
        tags=("screens",),
    ),
    Operation(
        "DELETE",
        "/api/v1/display-tokens/{token}",
        "curate",
        "Revoke an embed's display token; its screens go dark within a minute.",
        revoke_display_token,
        (TOKEN,),
        tags=("screens",),
    ),
]
