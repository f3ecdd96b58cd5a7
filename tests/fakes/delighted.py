"""A local Delighted speaking `GET /v1/survey_responses.json`: a bare array, page/per_page,
`updated_since`, Basic auth with the API key as user."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.api import FakeAPI

KEY = "dl-key"


@dataclass
class FakeDelighted(FakeAPI):
    responses: list[dict[str, Any]]
    body_override: Any = None  # a changed API's answer

    def error(self, status: int, message: str) -> dict[str, Any]:
        return {"message": message}

    def app(self) -> Starlette:
        async def survey_responses(request: Request) -> Response:
            expected = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
            if refused := self.refused(request, request.headers.get("authorization") == expected):
                return refused
            if self.body_override is not None:
                return JSONResponse(self.body_override)
            q = request.query_params
            since = int(q.get("updated_since", 0))
            chosen = [r for r in self.responses if (r["updated_at"] or r["created_at"]) > since]
            size, page = int(q.get("per_page", 20)), int(q.get("page", 1))
            return JSONResponse(chosen[(page - 1) * size : page * size])

        return Starlette(routes=[Route("/v1/survey_responses.json", survey_responses)])


def response(
    i: int, score: int = 9, comment: str | None = "Fast and flawless!", updated: int | None = None
) -> dict[str, Any]:
    """A response as the docs show it (Unix seconds; comment may be null)."""
    return {
        "id": str(5000 + i),
        "person": str(10 + i),
        "survey_type": "nps",
        "score": score,
        "comment": comment,
        "permalink": f"https://delighted.example/r/{i}",
        "created_at": 1713418460 + i,
        "updated_at": updated,
        "person_properties": {"purchase_experience": "Retail Store", "country": "USA"},
        "notes": [],
        "tags": [],
        "additional_answers": [],
    }
