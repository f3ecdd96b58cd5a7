"""What every fake platform shares: the requests it saw, the failures a test queues up, a
server that dies from some request on, and a free loopback port to run on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tests.conftest import serve_asgi


@dataclass(kw_only=True)
class FakeAPI:
    requests: list[str] = field(default_factory=list)
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # served first
    fail_from: int | None = None  # from this request on (1-based), answer 503: the server died

    def error(self, status: int, message: str) -> dict[str, Any]:
        """The platform's error body."""
        return {"error": message}

    def refused(self, request: Request, authorized: bool) -> Response | None:
        """Log the request; the answer when it is unauthorized or a failure is due, else None."""
        self.requests.append(str(request.url))
        if not authorized:
            return JSONResponse(self.error(401, "invalid or expired token"), status_code=401)
        if self.fail_from is not None and len(self.requests) >= self.fail_from:
            return JSONResponse(self.error(503, "down"), status_code=503)
        if self.failures:
            status, headers = self.failures.pop(0)
            return JSONResponse(
                self.error(status, "try later"), status_code=status, headers=headers
            )
        return None

    def app(self) -> Starlette:
        raise NotImplementedError


@contextmanager
def running(fake: FakeAPI) -> Iterator[str]:
    """The fake on a free loopback port; yields its base URL."""
    with serve_asgi(fake.app()) as url:
        yield url
