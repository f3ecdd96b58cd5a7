"""The API of moderation rules: curators read them, admins write, reorder and preview them."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ticker import queue, rules
from ticker.records import SCALES
from web.api import Operation, Param, state_of
from web.auth import Identity, Refused

RULE = Param("rule", "path", {"type": "integer"}, "the rule's number")
WORDS = {"type": "string", "maxLength": rules.MAX_VALUE}
CONDITION = {
    "type": "object",
    "description": "source, bucket, language, band: `values` to be among; words: `values`, "
    "words or phrases (whole words, any case or accent); pattern: a regular expression; "
    "score: `scale` and `at_least` / `at_most`; meta: `key` and the `values` it may hold",
    "properties": {
        "kind": {"enum": list(rules.KINDS)},
        "values": {"type": "array", "items": WORDS, "maxItems": rules.MAX_VALUES},
        "key": WORDS,
        "scale": {"enum": list(SCALES)},
        "at_least": {"type": ["number", "null"]},
        "at_most": {"type": ["number", "null"]},
        "pattern": {"type": "string", "maxLength": rules.MAX_PATTERN},
    },
    "required": ["kind"],
}
BODY = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": rules.MAX_NAME},
        "enabled": {"type": "boolean"},
        "match": {"enum": list(rules.MATCHES)},
        "conditions": {"type": "array", "items": CONDITION, "minItems": 1},
        "action": {"enum": list(rules.ACTIONS)},
        "reason": {"type": "string", "maxLength": rules.MAX_REASON},
        "overrides": {"type": "array", "items": {"enum": list(rules.FLAGS)}},
    },
    "required": ["name", "conditions", "action"],
    "additionalProperties": False,
}
ORDER = {
    "type": "object",
    "properties": {"ids": {"type": "array", "items": {"type": "integer"}}},
    "required": ["ids"],
}
PREVIEW = {
    "type": "object",
    "properties": {
        "matched": {"type": "integer"},
        "examined": {"type": "integer"},
        "complete": {"type": "boolean"},
        "samples": {"type": "array"},
    },
}


def _number(request: Request) -> int:
    return queue.whole_number("rule", request.path_params["rule"])


async def _saved(request: Request, who: Identity, body: dict[str, Any], rule: int | None) -> Any:
    """Save on the writer, then what the rule would have matched (read off the writer)."""
    state = state_of(request)
    saved = await state.write(lambda s: rules.save(s, who.actor, body, rule))
    preview = await state.readers.run(lambda s: rules.preview(s, body))
    return {**saved.to_dict(), "preview": preview}


async def list_rules(request: Request, who: Identity, body: dict[str, Any]) -> list[Any]:
    found = await state_of(request).readers.run(rules.listed)
    return [r.to_dict() for r in found]


async def add_rule(request: Request, who: Identity, body: dict[str, Any]) -> JSONResponse:
    """A new rule, last in order; applies to what comes in from now on."""
    return JSONResponse(await _saved(request, who, body, None), 201)


async def change_rule(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = await _saved(request, who, body, _number(request))
    return result


async def remove_rule(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    number = _number(request)
    await state_of(request).write(lambda s: rules.remove(s, who.actor, number))
    return {"removed": number}


async def order_rules(request: Request, who: Identity, body: dict[str, Any]) -> list[Any]:
    ids = body.get("ids")
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise Refused(422, "ids must be a list of every rule's number, in the new order")
    found = await state_of(request).write(lambda s: rules.reorder(s, who.actor, ids))
    return [r.to_dict() for r in found]


async def preview_rule(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    """What an unsaved rule would have matched in the last 30 days."""
    result: dict[str, Any] = await state_of(request).readers.run(lambda s: rules.preview(s, body))
    return result


OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/rules",
        "read",
        "The moderation rules, in the order they are asked.",
        list_rules,
        answer={"type": "array"},
        tags=("rules",),
    ),
    Operation(
        "POST",
        "/api/v1/rules",
        "admin",
        "Add a rule, last in order; the answer says what it would have matched in 30 days.",
        add_rule,
        body=BODY,
        status=201,
        tags=("rules",),
    ),
    Operation(
        "POST",
        "/api/v1/rules/order",
        "admin",
        "Put the rules in a new order: every rule's number once.",
        order_rules,
        body=ORDER,
        answer={"type": "array"},
        tags=("rules",),
    ),
    Operation(
        "POST",
        "/api/v1/rules/preview",
        "admin",
        "How many of the last 30 days' comments a rule would have matched, and the newest.",
        preview_rule,
        body=BODY,
        answer=PREVIEW,
        tags=("rules",),
    ),
    Operation(
        "PUT",
        "/api/v1/rules/{rule}",
        "admin",
        "Change a rule (it keeps its place in the order).",
        change_rule,
        (RULE,),
        body=BODY,
        tags=("rules",),
    ),
    Operation(
        "DELETE",
        "/api/v1/rules/{rule}",
        "admin",
        "Remove a rule.",
        remove_rule,
        (RULE,),
        tags=("rules",),
    ),
]
