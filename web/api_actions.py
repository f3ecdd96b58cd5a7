"""The API of "you said, we did" action notes."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ticker import actions, queue
from web.api import Operation, Param, state_of
from web.api_curation import Guard, checked
from web.auth import Identity, Refused

NOTE = Param("note", "path", {"type": "integer"}, "the note's number")
BODY = {
    "type": "object",
    "properties": {
        "you_said": {"type": "string", "maxLength": actions.MAX_TEXT},
        "we_did": {"type": "string", "maxLength": actions.MAX_TEXT},
        "owner": {"type": "string", "maxLength": actions.MAX_TEXT},
        "status": {"enum": list(actions.STATUSES)},
        "due": {"type": ["string", "null"], "format": "date"},
        "comments": {"type": "array", "items": {"type": "string"}, "maxItems": actions.MAX_LINKS},
    },
    "required": ["you_said", "we_did", "owner", "status", "comments"],
    "additionalProperties": False,
}


def _comments(body: dict[str, Any]) -> list[str]:
    found = body.get("comments")
    if not isinstance(found, list) or not all(isinstance(c, str) for c in found):
        raise Refused(422, "comments must be a list of the comment ids the note answers")
    return found


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    return {k: body.get(k) for k in ("you_said", "we_did", "owner", "status", "due")}


async def list_actions(request: Request, who: Identity, body: dict[str, Any]) -> list[Any]:
    status = request.query_params.get("status") or None
    notes = await state_of(request).readers.run(lambda s: actions.listed(s, status))
    return [n.to_dict() for n in notes]


async def add_action(request: Request, who: Identity, body: dict[str, Any]) -> JSONResponse:
    """Write a note linked to the comments it answers; screens show it after them."""
    comments, fields = _comments(body), _fields(body)

    def work(guard: Guard) -> dict[str, Any]:
        for vid in comments[: actions.MAX_LINKS]:
            guard.check(vid)
        return actions.save(guard.store, who.actor, fields, comments).to_dict()

    return JSONResponse(await checked(request, who, work), 201)


async def change_action(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    number = queue.whole_number("note", request.path_params["note"])
    comments, fields = _comments(body), _fields(body)

    def work(guard: Guard) -> dict[str, Any]:
        for vid in comments[: actions.MAX_LINKS]:
            guard.check(vid)
        return actions.save(guard.store, who.actor, fields, comments, number).to_dict()

    result: dict[str, Any] = await checked(request, who, work)
    return result


async def remove_action(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    number = queue.whole_number("note", request.path_params["note"])

    def work(guard: Guard) -> dict[str, Any]:
        for vid in actions.get(guard.store, number).comments:
            guard.check(vid)
        actions.remove(guard.store, number, who.actor)
        return {"removed": number}

    result: dict[str, Any] = await checked(request, who, work)
    return result


OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/actions",
        "read",
        '"You said, we did" notes, oldest first (or of one status).',
        list_actions,
        (Param("status", "query", {"enum": list(actions.STATUSES)}, "only this status"),),
        answer={"type": "array"},
        tags=("actions",),
    ),
    Operation(
        "POST",
        "/api/v1/actions",
        "curate",
        "Write a note linked to the comments it answers.",
        add_action,
        body=BODY,
        status=201,
        tags=("actions",),
    ),
    Operation(
        "PUT",
        "/api/v1/actions/{note}",
        "curate",
        "Change a note: its words, owner, status, date or comments.",
        change_action,
        (NOTE,),
        body=BODY,
        tags=("actions",),
    ),
    Operation(
        "DELETE",
        "/api/v1/actions/{note}",
        "curate",
        "Remove a note; screens stop showing it.",
        remove_action,
        (NOTE,),
        tags=("actions",),
    ),
]
