"""The API of who is signed in, sources, feeds, users and API tokens."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ingest.registry import PULLED
from ingest.schedule import next_runs, pull_once
from ticker import honesty
from ticker.accounts import ROLES, SCOPES, Accounts, new_password_hash
from ticker.playlist import current_items
from ticker.sources import health
from ticker.store import NotFound, Store
from web.api import Operation, Param, state_of, text_field
from web.api_feeds import check_editor, draft
from web.auth import Identity, Refused

log = logging.getLogger("voc.api")
EMAIL = Param("email", "path", {"type": "string", "format": "email"}, "the person's email")
USER = {
    "type": "object",
    "properties": {"email": {"type": "string"}, "role": {"enum": list(ROLES)}},
}


async def who_am_i(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    return {
        **who.user.to_dict(),
        "via": who.via,
        "scope": who.token.scope if who.token else None,
        "csrf": who.session.csrf if who.session else None,
    }


async def sign_out(request: Request, who: Identity, body: dict[str, Any]) -> JSONResponse:
    """End this session; its console connections close at once."""
    if who.session is None:
        raise Refused(422, "only a console session signs out; revoke a token instead")
    state = state_of(request)
    session = who.session.id
    await state.write(lambda s: Accounts(s).end_session(session))
    state.consoles.end(session=session)
    answer = JSONResponse({"signed_out": who.user.email})
    answer.delete_cookie("voc_session", path="/")
    return answer


async def list_sources(request: Request, who: Identity, body: dict[str, Any]) -> list[Any]:
    """Each source's health as `voc-ticker sources` shows it, and its next scheduled run."""
    state = state_of(request)
    rows = health(state.sources, await state.readers.run(Store.source_health), os.environ)
    runs = next_runs(state.scheduler)
    for row in rows:
        row["next_run"] = runs.get(row["name"])
        row["pulling"] = row["name"] in state.pulling
        row["pullable"] = row["name"] in state.sources
    return rows


async def pull_source(request: Request, who: Identity, body: dict[str, Any]) -> JSONResponse:
    """Pull a configured source now, in the background; its health shows how it went."""
    state = state_of(request)
    name = request.path_params["source"]
    source = state.sources.get(name)
    if source is None:
        raise NotFound(f"no configured source {name!r} (sources come from the config file)")
    if source.adapter not in PULLED:
        raise Refused(422, f"{name} is not pulled from an API (it is a file or a webhook)")
    if name in state.pulling:
        return JSONResponse({"pulling": name, "already": True}, 202)
    state.pulling.add(name)

    async def run() -> None:
        try:
            await asyncio.to_thread(pull_once, state.pipeline, source)
        except Exception as exc:  # recorded on the source by the pull itself
            log.warning("pull %s (asked by %s) failed: %s", name, who.user.email, exc)
        finally:
            state.pulling.discard(name)

    state.background(run())
    return JSONResponse({"pulling": name, "already": False}, 202)


async def list_feeds(request: Request, who: Identity, body: dict[str, Any]) -> list[Any]:
    feeds = await state_of(request).readers.run(Store.feeds)
    return [f.to_dict() for f in feeds]


async def feed_mix(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    """The honesty meter: what the feed shows beside what its customers said."""
    state = state_of(request)
    name = request.path_params["feed"]
    shown = state.live.cached(name)
    chars = state.settings.display_chars

    def read(store: Store) -> dict[str, Any]:
        feed = shown.feed if shown else store.feed(name)
        items = shown.items if shown else current_items(store, feed, chars)
        return honesty.meter(store, feed, items).to_dict()

    result: dict[str, Any] = await state.readers.run(read)
    return result


async def save_feed(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    """Create or change a feed from its definition; screens follow within a second.

    A definition that would make a praise wall (ticker/honesty.py) is refused with its meter
    unless an admin's `confirm_praise_wall` gives the reason, which the log keeps. Admins make
    and change any feed, curators change the feeds they curate (web/api_feeds.py)."""
    state = state_of(request)
    name = request.path_params["feed"]
    confirmed = text_field(body, "confirm_praise_wall", "").strip()
    definition = {k: v for k, v in body.items() if k != "confirm_praise_wall"}
    chars = state.settings.display_chars
    configured = set(state.sources)

    def save(store: Store) -> dict[str, Any]:
        check_editor(who, name, store.has_feed(name))
        feed = draft(store, definition, name, configured)
        found = honesty.meter(store, feed, current_items(store, feed, chars))
        if found.praise_wall and confirmed and who.user.role != "admin":
            raise Refused(403, f"feed {name} would be a praise wall, which only an admin confirms")
        if found.praise_wall and not confirmed:
            shown, said = found.to_dict()["shown_percent"], found.to_dict()["received_percent"]
            raise Refused(
                409,
                f"feed {name} would be a praise wall: bad and ugly would be "
                f"{shown['bad'] + shown['ugly']:.0f} % of what it shows, against "
                f"{said['bad'] + said['ugly']:.0f} % of what its customers said in "
                f"{found.window_days} days; send confirm_praise_wall with the reason to save it",
            )
        store.save_feed(feed)
        if found.praise_wall:
            store.record(
                who.actor,
                "praise-wall",
                {"feed": name, "reason": confirmed, "mix": found.to_dict()},
            )
        return {**feed.to_dict(), "mix": found.to_dict()}

    result: dict[str, Any] = await state.write(save)
    return result


async def list_users(request: Request, who: Identity, body: dict[str, Any]) -> list[Any]:
    users = await state_of(request).readers.run(lambda s: Accounts(s).users())
    return [u.to_dict() for u in users]


def _feeds(body: dict[str, Any]) -> tuple[str, ...] | None:
    feeds = body.get("feeds")
    if feeds is None:
        return None
    if not isinstance(feeds, list) or not all(isinstance(f, str) for f in feeds):
        raise Refused(422, "feeds must be a list of feed names")
    return tuple(feeds)


async def add_user(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    email, role = text_field(body, "email"), text_field(body, "role")
    password = body.get("password")
    if password is not None and not isinstance(password, str):
        raise Refused(422, "password must be a string")
    digest = await asyncio.to_thread(new_password_hash, password, email) if password else None
    origin = "local" if password else "external"
    feeds = _feeds(body) or ()
    user = await state_of(request).write(
        lambda s: Accounts(s).add_user(email, role, digest, origin, feeds)
    )
    return user.to_dict()


async def change_user(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    """Change a role (and a curator's feeds); it takes effect on the person's next request."""
    state = state_of(request)
    email = request.path_params["email"]
    role = text_field(body, "role")
    user = await state.write(lambda s: Accounts(s).set_role(email, role, _feeds(body)))
    state.consoles.end(email=user.email)  # their console reconnects under the new role
    return user.to_dict()


async def remove_user(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    state = state_of(request)
    email = request.path_params["email"]
    await state.write(lambda s: Accounts(s).remove_user(email))
    state.consoles.end(email=email.strip().lower())
    return {"removed": email}


async def list_tokens(request: Request, who: Identity, body: dict[str, Any]) -> list[Any]:
    tokens = await state_of(request).readers.run(lambda s: Accounts(s).tokens())
    return [t.to_dict() for t in tokens]


async def add_token(request: Request, who: Identity, body: dict[str, Any]) -> JSONResponse:
    """A new token; its secret is in this answer only, never again."""
    email = text_field(body, "email", who.user.email)
    scope = text_field(body, "scope")
    days = body.get("days", 90)
    if days is not None and (not isinstance(days, int) or isinstance(days, bool)):
        raise Refused(422, "days must be a whole number, or null for no expiry")
    label = text_field(body, "label", "")
    secret, token = await state_of(request).write(
        lambda s: Accounts(s).add_token(email, scope, days, label)
    )
    return JSONResponse({**token.to_dict(), "secret": secret}, 201)


async def revoke_token(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    token_id = request.path_params["token"]
    token = await state_of(request).write(lambda s: Accounts(s).revoke_token(token_id))
    return token.to_dict()


OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/me",
        "read",
        "Who is asking, with the role or scope.",
        who_am_i,
        tags=("identity",),
    ),
    Operation(
        "DELETE",
        "/api/v1/session",
        "read",
        "Sign this console session out.",
        sign_out,
        tags=("identity",),
    ),
    Operation(
        "GET",
        "/api/v1/sources",
        "read",
        "Each source's health and next run.",
        list_sources,
        answer={"type": "array"},
        tags=("sources",),
    ),
    Operation(
        "POST",
        "/api/v1/sources/{source}/pull",
        "admin",
        "Pull a source now.",
        pull_source,
        (Param("source", "path", {"type": "string"}, "the source's name"),),
        status=202,
        tags=("sources",),
    ),
    Operation(
        "GET",
        "/api/v1/feeds",
        "read",
        "Every feed's definition.",
        list_feeds,
        answer={"type": "array"},
        tags=("feeds",),
    ),
    Operation(
        "GET",
        "/api/v1/feeds/{feed}/mix",
        "read",
        "The honesty meter: the mix the feed shows beside the mix its customers gave.",
        feed_mix,
        (Param("feed", "path", {"type": "string"}, "the feed's name"),),
        tags=("feeds",),
    ),
    Operation(
        "PUT",
        "/api/v1/feeds/{feed}",
        "curate",
        "Create (admins) or change (admins, and curators of that feed) a feed: filter, mix, "
        "display and access (docs/console.md, Feeds).",
        save_feed,
        (Param("feed", "path", {"type": "string"}, "the feed's name"),),
        body={"type": "object", "description": "a feed definition, as `voc-ticker feeds` shows"},
        tags=("feeds",),
    ),
    Operation(
        "GET",
        "/api/v1/users",
        "admin",
        "Everyone with an account.",
        list_users,
        answer={"type": "array", "items": USER},
        tags=("users",),
    ),
    Operation(
        "POST",
        "/api/v1/users",
        "admin",
        "Add a person (with a password, or for SSO).",
        add_user,
        body={
            "type": "object",
            "properties": {
                "email": {"type": "string", "format": "email"},
                "role": {"enum": list(ROLES)},
                "password": {"type": "string", "minLength": 12},
                "feeds": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["email", "role"],
            "additionalProperties": False,
        },
        answer=USER,
        tags=("users",),
    ),
    Operation(
        "PATCH",
        "/api/v1/users/{email}",
        "admin",
        "Change a person's role (and feeds).",
        change_user,
        (EMAIL,),
        body={
            "type": "object",
            "properties": {
                "role": {"enum": list(ROLES)},
                "feeds": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["role"],
            "additionalProperties": False,
        },
        answer=USER,
        tags=("users",),
    ),
    Operation(
        "DELETE",
        "/api/v1/users/{email}",
        "admin",
        "Remove a person; their sessions and tokens end.",
        remove_user,
        (EMAIL,),
        tags=("users",),
    ),
    Operation(
        "GET",
        "/api/v1/tokens",
        "admin",
        "Every API token (never their secrets).",
        list_tokens,
        answer={"type": "array"},
        tags=("tokens",),
    ),
    Operation(
        "POST",
        "/api/v1/tokens",
        "admin",
        "Make an API token; its secret is shown once.",
        add_token,
        body={
            "type": "object",
            "properties": {
                "email": {"type": "string", "format": "email"},
                "scope": {"enum": list(SCOPES)},
                "days": {"type": ["integer", "null"], "minimum": 1},
                "label": {"type": "string", "maxLength": 100},
            },
            "required": ["scope"],
            "additionalProperties": False,
        },
        status=201,
        tags=("tokens",),
    ),
    Operation(
        "DELETE",
        "/api/v1/tokens/{token}",
        "admin",
        "Revoke an API token.",
        revoke_token,
        (Param("token", "path", {"type": "string"}, "the token's id"),),
        tags=("tokens",),
    ),
]
