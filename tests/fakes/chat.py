"""What the fake Slack and Teams webhooks share: one webhook path, the messages accepted, a
rate limit answered with 429 and Retry-After, failures a test queues up, and a hang (for a
sender's timeout)."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.api import FakeAPI


class Refusal(Exception):
    """The platform's answer to a message it does not take."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status, self.error = status, error


@dataclass(kw_only=True)
class FakeChat(FakeAPI):
    path: str
    per_second: int  # messages a second the platform takes, per webhook
    accepted: list[dict[str, Any]] = field(default_factory=list)
    queued: list[int] = field(default_factory=list)  # statuses to answer first, one each
    hang: float = 0.0  # seconds to wait before answering each request
    arrived: list[float] = field(default_factory=list)  # monotonic time of each request
    _times: list[float] = field(default_factory=list)

    def reset(self) -> None:
        """Forget every request, failure and hang: a fresh channel for the next test."""
        for kept in (self.requests, self.accepted, self.queued, self.arrived, self._times):
            kept.clear()
        self.hang = 0.0

    def check(self, body: bytes) -> dict[str, Any]:
        """The message, or Refusal as the platform would answer it."""
        raise NotImplementedError

    def answer(self, status: int, error: str, headers: dict[str, str]) -> Response:
        """The platform's failure answer for `error`."""
        raise NotImplementedError

    def ok(self) -> Response:
        raise NotImplementedError

    def errors(self) -> dict[int, str]:
        """The platform's error for each status a test can queue."""
        raise NotImplementedError

    def app(self) -> Starlette:
        async def receive(request: Request) -> Response:
            self.requests.append(str(request.url.path))
            self.arrived.append(time.monotonic())
            body = await request.body()
            if self.hang:
                await asyncio.sleep(self.hang)
                if await request.is_disconnected():
                    return Response(status_code=499)  # the sender gave up: nothing is posted
            if self.queued:
                status = self.queued.pop(0)
                retry = {"Retry-After": "1"} if status == 429 else {}
                return self.answer(status, self.errors()[status], retry)
            now = time.monotonic()
            self._times = [t for t in self._times if now - t < 0.95]  # a second, less jitter
            if len(self._times) >= self.per_second:
                return self.answer(429, self.errors()[429], {"Retry-After": "1"})
            try:
                message = self.check(body)
            except Refusal as exc:
                return self.answer(exc.status, exc.error, {})
            self._times.append(now)
            self.accepted.append(message)
            return self.ok()

        return Starlette(routes=[Route(self.path, receive, methods=["POST"])])


def parsed(body: bytes, refusal: Refusal) -> dict[str, Any]:
    """A JSON object, or the platform's refusal."""
    try:
        found = json.loads(body)
    except ValueError:
        raise refusal from None
    if not isinstance(found, dict):
        raise refusal
    return found
