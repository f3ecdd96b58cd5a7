"""A local Typeform speaking `GET /forms/{id}` and `GET /forms/{id}/responses`: Bearer token
auth (403 when wrong), `page_size`, inclusive `since`/`until`, exclusive `before`/`after`
tokens, `completed`, newest-submitted first, and the `{code, description}` error body."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.api import FakeAPI, running

__all__ = [
    "FORM_ID",
    "NOT_SUBMITTED",
    "TOKEN",
    "FakeTypeform",
    "choice_answer",
    "field",
    "form",
    "number_answer",
    "partial",
    "response",
    "running",
    "text_answer",
]

TOKEN = "tfp_test-token"
FORM_ID = "lT9Z2j"
NOT_SUBMITTED = "0001-01-01T00:00:00Z"  # what Typeform puts in submitted_at of a partial item
MAX_PAGE_SIZE = 1000

# Codes the docs and the brief name; the others are plausible stand-ins, not documented.
_CODES = {
    400: "VALIDATION_ERROR",
    401: "AUTHENTICATION_FAILED",
    403: "AUTHENTICATION_FAILED",
    404: "FORM_NOT_FOUND",
    429: "RATE_LIMIT_EXCEEDED",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}
_AUTH_DESCRIPTION = "Authentication credentials not found on the Request Headers"


_Key = tuple[datetime, int]  # (submitted_at, place in the list): a total order over items


class _BadRequest(Exception):
    """A query parameter Typeform would refuse with 400 VALIDATION_ERROR."""


@dataclass
class FakeTypeform(FakeAPI):
    form: dict[str, Any]
    responses: list[dict[str, Any]]  # in submission order, oldest first
    form_override: dict[str, Any] | None = None  # a changed definition, served from now on

    def error(self, status: int, message: str) -> dict[str, Any]:
        if status in (401, 403):
            message = _AUTH_DESCRIPTION
        return {"code": _CODES.get(status, "ERROR"), "description": message}

    def refused(self, request: Request, authorized: bool) -> Response | None:
        """Typeform answers a missing or wrong token with 403, not the base class's 401."""
        if authorized:
            return super().refused(request, True)
        self.requests.append(str(request.url))
        return JSONResponse(self.error(403, _AUTH_DESCRIPTION), status_code=403)

    def _authorized(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token == TOKEN

    def _bad(self, status: int, message: str) -> Response:
        return JSONResponse(self.error(status, message), status_code=status)

    def app(self) -> Starlette:
        async def get_form(request: Request) -> Response:
            if refused := self.refused(request, self._authorized(request)):
                return refused
            if request.path_params["form_id"] != self.form["id"]:
                return self._bad(
                    404, "Non-existing form with uid " + request.path_params["form_id"]
                )
            return JSONResponse(self.form_override or self.form)

        async def list_responses(request: Request) -> Response:
            if refused := self.refused(request, self._authorized(request)):
                return refused
            if request.path_params["form_id"] != self.form["id"]:
                return self._bad(
                    404, "Non-existing form with uid " + request.path_params["form_id"]
                )
            try:
                return JSONResponse(self._page(request))
            except _BadRequest as exc:
                return self._bad(400, str(exc))

        return Starlette(
            routes=[
                Route("/forms/{form_id}", get_form),
                Route("/forms/{form_id}/responses", list_responses),
            ]
        )

    def _page(self, request: Request) -> dict[str, Any]:
        """One page of the responses list, as Typeform would cut it."""
        q = request.query_params
        size = _int(q.get("page_size", "25"), "page_size")
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise _BadRequest(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        before, after, sort = q.get("before"), q.get("after"), q.get("sort")
        if sort is not None and (before is not None or after is not None):
            raise _BadRequest("sort could not be used together with before or after")
        if before is not None and after is not None:
            raise _BadRequest("before could not be used together with after")

        # Order: submitted_at, then submission (list) order; partials (year 1) sort oldest.
        keyed: list[tuple[_Key, dict[str, Any]]] = sorted(
            (((_when(r["submitted_at"]), n), r) for n, r in enumerate(self.responses)),
            key=lambda pair: pair[0],
        )
        chosen = keyed
        if (since := q.get("since")) is not None:
            start = _moment(since, "since")
            chosen = [(k, r) for k, r in chosen if k[0] >= start]
        if (until := q.get("until")) is not None:
            end = _moment(until, "until")
            chosen = [(k, r) for k, r in chosen if k[0] <= end]
        if (completed := q.get("completed")) is not None:
            if completed.lower() not in ("true", "false"):
                raise _BadRequest("completed must be true or false")
            want = completed.lower() == "true"
            chosen = [(k, r) for k, r in chosen if (r["submitted_at"] != NOT_SUBMITTED) == want]
        total = len(chosen)  # before/after only move the window; total_items ignores them

        if after is not None:
            # Typeform: with `after`, items come in the order it processed them, oldest first,
            # so a client can walk forward with after=<last token> without repeats.
            mark = _key_of(keyed, after)
            items = [r for k, r in chosen if k > mark]
        elif before is not None:
            mark = _key_of(keyed, before)
            items = [r for k, r in reversed(chosen) if k < mark]
        else:
            name, _, direction = (sort or "submitted_at,desc").partition(",")
            if name not in ("submitted_at", "landed_at") or direction not in ("asc", "desc"):
                raise _BadRequest("sort must be submitted_at or landed_at, then asc or desc")
            items = [r for _, r in chosen]
            if name == "landed_at":
                items.sort(key=lambda r: _when(r["landed_at"]))
            if direction == "desc":
                items.reverse()
        return {
            "total_items": total,
            "page_count": math.ceil(len(items) / size),
            "items": items[:size],
        }


def _int(raw: str, name: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise _BadRequest(f"{name} must be an integer") from None


def _when(stamp: str) -> datetime:
    """A payload timestamp (ISO 8601 with Z) as an aware datetime."""
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _moment(raw: str, name: str) -> datetime:
    """`since`/`until`: Unix seconds or ISO 8601 to the second (UTC when no zone is given)."""
    if raw.isdigit():
        return datetime.fromtimestamp(int(raw), UTC)
    try:
        return _when(raw)
    except ValueError:
        raise _BadRequest(f"{name} must be a Unix timestamp or ISO 8601 date") from None


def _key_of(keyed: list[tuple[_Key, dict[str, Any]]], token: str) -> _Key:
    """The ordering key of the item with this response token."""
    for key, item in keyed:
        if item["token"] == token:
            return key
    raise _BadRequest(f"token {token} does not belong to a response of this form")


def _ref(field_id: str) -> str:
    """The ref Typeform would have generated for a field that was given none (a UUID)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"typeform-field:{field_id}"))


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def field(
    id: str,
    type: str,
    title: str,
    ref: str | None = None,
    **properties: Any,
) -> dict[str, Any]:
    """A form field as `GET /forms/{id}` shows it, e.g. `field("nps1", "nps", "How likely...",
    steps=11, start_at_one=False)`."""
    return {
        "id": id,
        "ref": ref or _ref(id),
        "title": title,
        "type": type,
        "properties": properties,
    }


def form(fields: list[dict[str, Any]], title: str = "Customer feedback") -> dict[str, Any]:
    """A form definition holding these fields."""
    return {
        "id": FORM_ID,
        "type": "form",
        "title": title,
        "fields": fields,
        "hidden": [],
        "settings": {"language": "en", "is_public": True},
        "thankyou_screens": [],
        "_links": {"display": f"https://acme.typeform.com/to/{FORM_ID}"},
    }


def _item(
    i: int, answers: list[dict[str, Any]], landed_at: str, submitted_at: str
) -> dict[str, Any]:
    token = f"tok{i:06d}"
    return {
        "landing_id": token,
        "token": token,
        "response_id": token,
        "landed_at": landed_at,
        "submitted_at": submitted_at,
        "metadata": {
            "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.1 Safari/605.1.15",
            "platform": "other",
            "referer": f"https://acme.typeform.com/to/{FORM_ID}",
            "network_id": "respondent_network_id",
            "browser": "default",
        },
        "hidden": {},
        "calculated": {"score": 0},
        "answers": answers,
    }


def response(i: int, answers: list[dict[str, Any]], submitted_at: str) -> dict[str, Any]:
    """A submitted item shaped like the docs' example (token `tok{i:06d}`, landed 3 minutes
    before `submitted_at`, which is ISO 8601 UTC like "2026-11-01T10:00:00Z")."""
    landed = _stamp(_when(submitted_at) - timedelta(minutes=3))
    return _item(i, answers, landed, submitted_at)


def partial(i: int, landed_at: str = "2026-11-01T09:09:30Z") -> dict[str, Any]:
    """An item that was opened but never submitted: no answers, submitted_at in year 1."""
    return _item(i, [], landed_at, NOT_SUBMITTED)


def _answer_field(field_id: str, field_type: str, ref: str | None) -> dict[str, str]:
    return {"id": field_id, "type": field_type, "ref": ref or _ref(field_id)}


def text_answer(
    field_id: str, text: str, ref: str | None = None, field_type: str = "long_text"
) -> dict[str, Any]:
    """A text answer; long_text, short_text and dropdown fields all answer with type "text"."""
    return {"field": _answer_field(field_id, field_type, ref), "type": "text", "text": text}


def number_answer(
    field_id: str, n: int, field_type: str = "nps", ref: str | None = None
) -> dict[str, Any]:
    """A number answer; nps, rating and opinion_scale fields all answer with type "number"."""
    return {"field": _answer_field(field_id, field_type, ref), "type": "number", "number": n}


def choice_answer(
    field_id: str, label: str, field_type: str = "multiple_choice", ref: str | None = None
) -> dict[str, Any]:
    """A single-choice answer (multiple_choice or picture_choice with one pick)."""
    return {
        "field": _answer_field(field_id, field_type, ref),
        "type": "choice",
        "choice": {"label": label},
    }
