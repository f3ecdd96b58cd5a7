"""Sending one message to a Slack or Teams webhook: a rate limiter per webhook (Slack about a
message a second per channel, Teams four requests a second), a 429's Retry-After waited, a 5xx
or a timeout tried again after an exponential backoff a few times, any other 4xx not retried.

The webhook URL is a secret: it is read from the environment when sending, kept out of every
log line (httpx logs each request's URL) and out of every error message.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from ticker.outlets import Outlet
from ticker.settings import Settings, SettingsError

log = logging.getLogger("voc_ticker.outlets")
INTERVALS = {"slack": 1.0, "teams": 0.25}  # seconds between two messages to one destination
PLATFORMS = {"slack": "Slack", "teams": "Teams"}
ATTEMPTS = 4  # tries of one message before it is given up
MAX_WAIT = 300.0  # the longest Retry-After honoured within one try


class Undelivered(Exception):
    """A message did not arrive; the message says why, in words an admin can act on."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Limiter:
    """At most one message per `interval` seconds to one destination."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            loop = asyncio.get_running_loop()
            delay = self._next - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next = loop.time() + self.interval


class _Unlogged(logging.Filter):
    """Drops log lines (httpx logs each request's URL) that carry a webhook URL."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return not any(secret in text for secret in self.secrets)


UNLOGGED = _Unlogged()
logging.getLogger("httpx").addFilter(UNLOGGED)


@dataclass
class Courier:
    """The HTTP client and a rate limiter per webhook (two outlets may share a channel);
    `retry_seconds` is the first backoff, `intervals` the seconds between messages by kind."""

    timeout: float
    retry_seconds: float
    poll_seconds: float
    intervals: dict[str, float] = field(default_factory=lambda: dict(INTERVALS))
    client: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient())
    limiters: dict[str, Limiter] = field(default_factory=dict)  # by URL: one per channel
    sending: set[str] = field(default_factory=set)  # outlets with a message on its way

    @classmethod
    def from_settings(cls, settings: Settings) -> Courier:
        return cls(
            settings.outlet_timeout_seconds,
            settings.outlet_retry_seconds,
            settings.outlet_poll_seconds,
        )

    async def close(self) -> None:
        await self.client.aclose()

    async def post(self, outlet: Outlet, payload: dict[str, Any]) -> None:
        """Send one message, waiting its turn and retrying as the module says; raises
        Undelivered with the last problem."""
        try:
            url = outlet.url()
        except SettingsError as exc:
            raise Undelivered(str(exc)) from None
        UNLOGGED.secrets.add(url)
        limiter = self.limiters.setdefault(url, Limiter(self.intervals[outlet.kind]))
        platform = PLATFORMS[outlet.kind]
        problem, status = "", None
        for attempt in range(ATTEMPTS):
            wait = self.retry_seconds * 2**attempt
            await limiter.wait()
            try:
                answer = await self.client.post(url, json=payload, timeout=self.timeout)
            except httpx.TimeoutException:
                problem, status = f"{platform} did not answer within {self.timeout:g} s", None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                said = str(exc).replace(url, "[webhook URL]") or type(exc).__name__
                problem, status = f"{platform} cannot be reached: {said}", None
            else:
                status = answer.status_code
                if status < 300:
                    return
                said = _said(answer)
                problem = f"{platform} answered {status}: {said}"
                if status == 429:
                    wait = _retry_after(answer, wait)
                elif status < 500:
                    raise Undelivered(problem, status)
            if attempt + 1 < ATTEMPTS:
                log.warning("outlet %s: %s; trying again in %.2g s", outlet.name, problem, wait)
                await asyncio.sleep(wait)
        raise Undelivered(f"{problem} (gave up after {ATTEMPTS} tries)", status)


def _said(answer: httpx.Response) -> str:
    """The platform's words: Slack's plain text (`no_service`), Teams' `{"error": {"code",
    "message"}}` as "code: message", at most 200 characters."""
    try:
        error = answer.json().get("error", {})
        code, message = str(error.get("code", "")), str(error.get("message", ""))
        text = code if message in ("", code) else f"{code}: {message}" if code else message
    except (ValueError, AttributeError):
        text = answer.text
    return " ".join(text.split())[:200] or answer.reason_phrase


def _retry_after(answer: httpx.Response, otherwise: float) -> float:
    """Seconds the platform asked to wait (Retry-After), capped; else the backoff."""
    try:
        return min(max(float(answer.headers.get("retry-after", "")), 0.0), MAX_WAIT)
    except ValueError:
        return otherwise
