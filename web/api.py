"""The REST API's frame: operations as data, so routes and the OpenAPI document are one list.

Each `Operation` names its method, path, the role or scope it needs, its parameters and body.
`routes()` makes Starlette routes that identify the caller, check the scope (and CSRF for a
session), parse the body and turn every failure a caller can fix into a JSON 4xx, never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ticker.accounts import AccountError
from ticker.actions import ActionError
from ticker.curation import CurationError
from ticker.display_tokens import DisplayTokenError
from ticker.passwords import PasswordRejected
from ticker.queue import QueryError
from ticker.rules import RuleError
from ticker.screens import ScreenError
from ticker.spotlight import SpotlightError
from ticker.store import Busy, NotFound, StoreError
from web.auth import Identity, Refused, require
from web.state import AppState
from web.webhooks import TooBig, read_limited

MAX_BODY = 1 << 20  # 10,000 ids for a bulk action fit in a quarter of it
Handler = Callable[[Request, Identity, dict[str, Any]], Awaitable[Response | Any]]


@dataclass(frozen=True)
class Param:
    name: str
    where: str  # path or query
    schema: dict[str, Any]
    description: str = ""
    repeats: bool = False


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    need: str  # read, curate or admin: a role or a token's scope
    summary: str
    handler: Handler
    params: tuple[Param, ...] = ()
    body: dict[str, Any] | None = None  # JSON Schema of the request body
    answer: dict[str, Any] = field(default_factory=lambda: {"type": "object"})
    status: int = 200
    tags: tuple[str, ...] = ()

    @property
    def operation_id(self) -> str:
        return self.handler.__name__.strip("_")


def text_field(body: dict[str, Any], name: str, default: str | None = None) -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise Refused(
            422, f"{name} must be a string" + ("" if default is not None else " (required)")
        )
    return value


def int_field(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise Refused(422, f"{name} must be a whole number (required)")
    return value


async def _body(request: Request, op: Operation) -> dict[str, Any]:
    if op.body is None:
        return {}
    try:
        raw = await read_limited(request, MAX_BODY)
    except TooBig:
        raise Refused(413, f"the body is over {MAX_BODY // 1024} KiB") from None
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise Refused(400, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise Refused(422, "the body must be a JSON object")
    try:  # JSON may carry "\ud800", half of a character, which no database or page can hold
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise Refused(422, "the body holds half of a character (a lone UTF-16 surrogate)") from None
    return body


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status, headers=headers)


def _endpoint(op: Operation) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            who = await require(request, op.need)
            result = await op.handler(request, who, await _body(request, op))
        except Refused as exc:
            return error(exc.status, exc.message, exc.headers)
        except NotFound as exc:
            return error(404, str(exc.args[0]) if exc.args else "not found")
        except (
            CurationError,
            SpotlightError,
            ActionError,
            QueryError,
            AccountError,
            PasswordRejected,
            RuleError,
            ScreenError,
            DisplayTokenError,
        ) as exc:
            return error(422, str(exc))
        except Busy as exc:
            return error(503, str(exc), {"Retry-After": "2"})
        except StoreError as exc:
            return error(503, str(exc), {"Retry-After": "10"})
        if isinstance(result, Response):
            return result
        return JSONResponse(result, op.status)

    endpoint.__name__ = op.operation_id
    return endpoint


def routes(operations: Sequence[Operation]) -> list[Route]:
    return [Route(op.path, _endpoint(op), methods=[op.method]) for op in operations]


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.voc
    return state


def query_lists(request: Request) -> dict[str, list[str]]:
    """The query string as lists (a parameter may repeat)."""
    found: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        found.setdefault(key, []).append(value)
    return found


_SCOPE_TEXT = {
    "read": "viewer: a session of any role, or a token of scope read, curate or admin",
    "curate": "curator: a curator's or admin's session, or a token of scope curate or admin",
    "admin": "admin: an admin's session, or a token of scope admin",
}


def openapi(operations: Sequence[Operation], version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of these operations; each says which scope it needs."""
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        errors = {
            "401": {"$ref": "#/components/responses/Unauthorized"},
            "403": {"$ref": "#/components/responses/Forbidden"},
        }
        if op.params or op.body:
            errors["422"] = {"$ref": "#/components/responses/Invalid"}
        entry: dict[str, Any] = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "description": f"Needs {_SCOPE_TEXT[op.need]}.",
            "tags": list(op.tags),
            "security": [{"token": [op.need]}, {"session": []}],
            "x-scope": op.need,
            "parameters": [
                {
                    "name": p.name,
                    "in": p.where,
                    "required": p.where == "path",
                    "description": p.description,
                    "schema": {"type": "array", "items": p.schema} if p.repeats else p.schema,
                    **({"style": "form", "explode": True} if p.repeats else {}),
                }
                for p in op.params
            ],
            "responses": {
                str(op.status): {
                    "description": "OK",
                    "content": {"application/json": {"schema": op.answer}},
                },
                **errors,
            },
        }
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": op.body}},
            }
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    problem = {
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
                    "required": ["error", "status"],
                }
            }
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "VoC Ticker API",
            "version": version,
            "description": "Everything the console does. Send an API token as "
            "`Authorization: Bearer voc_…` (voc-ticker tokens add); a console session's "
            "cookie works too, with its CSRF token in `X-CSRF-Token` on every change.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer", "description": "voc_… API token"},
                "session": {"type": "apiKey", "in": "cookie", "name": "voc_session"},
            },
            "responses": {
                "Unauthorized": {"description": "No identity, or an unknown one", **problem},
                "Forbidden": {"description": "The role or scope does not reach", **problem},
                "Invalid": {"description": "A parameter or body that cannot be used", **problem},
            },
        },
    }
