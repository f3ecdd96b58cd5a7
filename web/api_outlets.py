"""The API of Slack and Teams outlets: their health, and "send digest now"."""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ticker.store import NotFound
from web import outlets
from web.api import Operation, Param, state_of
from web.auth import Identity

log = logging.getLogger("voc_ticker.outlets")


async def list_outlets(request: Request, who: Identity, body: dict[str, Any]) -> list[Any]:
    """Each outlet: kind, feed, schedule, last sent, next digest, failing or healthy."""
    return await outlets.health(state_of(request))


async def send_outlet(request: Request, who: Identity, body: dict[str, Any]) -> JSONResponse:
    """Post the outlet's digest now, in the background; its health shows how it went."""
    state = state_of(request)
    name = request.path_params["outlet"]
    if name not in state.outlets or state.courier is None:
        raise NotFound(f"no outlet named {name!r} (outlets come from the config file)")
    if name in state.courier.sending:
        return JSONResponse({"sending": name, "already": True}, 202)
    log.info("outlet %s: digest asked for by %s", name, who.user.email)
    sending = state.courier.sending
    sending.add(name)  # from now: a second click is not a second digest

    async def run() -> None:
        try:
            await outlets.send_digest(state, name)
        finally:
            sending.discard(name)

    state.background(run())
    return JSONResponse({"sending": name, "already": False}, 202)


OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/outlets",
        "curate",
        "Each Slack and Teams outlet's health, last message and next digest.",
        list_outlets,
        answer={"type": "array"},
        tags=("outlets",),
    ),
    Operation(
        "POST",
        "/api/v1/outlets/{outlet}/send",
        "admin",
        "Post an outlet's digest now.",
        send_outlet,
        (Param("outlet", "path", {"type": "string"}, "the outlet's name"),),
        status=202,
        tags=("outlets",),
    ),
]
