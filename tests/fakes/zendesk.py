"""A local Zendesk that speaks the satisfaction_ratings API: Basic token auth, cursor pages,
429 with Retry-After, 5xx, and whatever failures a test queues up."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.api import FakeAPI, running

__all__ = ["FakeZendesk", "rating", "running"]

USER, TOKEN = "agent@acme.example", "zd-token"


@dataclass
class FakeZendesk(FakeAPI):
    ratings: list[dict[str, Any]]
    body_override: Any = None

    def app(self) -> Starlette:
        async def ratings(request: Request) -> Response:
            expected = "Basic " + base64.b64encode(f"{USER}/token:{TOKEN}".encode()).decode()
            if refused := self.refused(request, request.headers.get("authorization") == expected):
                return refused
            if self.body_override is not None:
                return JSONResponse(self.body_override)
            size = int(request.query_params.get("page[size]", 100))
            after = int(request.query_params.get("page[after]", "0") or 0)
            page = self.ratings[after : after + size]
            end = after + len(page)
            return JSONResponse(
                {
                    "satisfaction_ratings": page,
                    "meta": {
                        "has_more": end < len(self.ratings),
                        "after_cursor": str(end) if page else None,
                        "before_cursor": str(after),
                    },
                    "links": {"next": f"{request.url.path}?page[after]={end}&page[size]={size}"},
                }
            )

        return Starlette(routes=[Route("/api/v2/satisfaction_ratings", ratings)])


def rating(
    i: int, score: str = "good", comment: str | None = "Quick and friendly help, thanks!"
) -> dict[str, Any]:
    """A rating as the docs show it (comment optional, score a string)."""
    item: dict[str, Any] = {
        "id": 35000 + i,
        "assignee_id": 135,
        "group_id": 44,
        "requester_id": 7881,
        "ticket_id": 200 + i,
        "score": score,
        "created_at": "2026-11-01T10:00:00Z",
        "updated_at": "2026-11-01T10:05:00Z",
        "url": f"https://acme.zendesk.com/api/v2/satisfaction_ratings/{35000 + i}.json",
    }
    if comment is not None:
        item["comment"] = comment
    return item
