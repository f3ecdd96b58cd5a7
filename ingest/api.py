"""What every pulled API shares: the errors a pull can end with, pages, and polite GETs.

Polite: a 429 is waited out for its Retry-After, network errors and 5xx are retried after 1, 2, 4
and 8 seconds, a 401/403 stops at once (retrying a refused token helps nobody), any other 4xx
or an answer that is not a JSON document says what to check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from ticker.records import Verbatim

RETRIES = 4


class PullError(Exception):
    """A pull that cannot go on; `auth` failures must not be retried until someone acts."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Page:
    """One page of an API: its verbatims and where the next pull resumes after it."""

    verbatims: list[Verbatim]
    cursor: str | None
    skipped: int  # ratings without a comment, or not rated yet


def get_json(
    client: httpx.Client,
    url: str,
    params: dict[str, Any],
    auth: tuple[str, str],
    sleep: Callable[[float], None],
    platform: str,
) -> Any:
    """One GET with the platform's manners: wait out 429s, back off on 5xx, stop on 401/403."""
    for attempt in range(RETRIES + 1):
        try:
            response = client.get(url, params=params, auth=auth)
        except httpx.TransportError as exc:
            problem = f"cannot reach {url}: {exc}"
        else:
            if response.status_code in (401, 403):
                raise PullError(
                    "auth",
                    f"{platform} refused the credentials ({response.status_code}); "
                    "check the token and user of this source",
                )
            if response.status_code == 429:
                wait = min(float(response.headers.get("retry-after", "60") or 60), 300.0)
                sleep(wait)
                continue
            if 400 <= response.status_code < 500:
                raise PullError(
                    "request",
                    f"{platform} answered {response.status_code} for {url}; check the source's url",
                )
            if response.status_code < 400:
                try:
                    data = response.json()
                except ValueError:
                    data = None
                if data is None:
                    raise PullError("schema", "the answer is not JSON; has the API changed?")
                return data
            problem = f"{platform} answered {response.status_code}"
        if attempt == RETRIES:
            raise PullError("unavailable", f"{problem} (gave up after {RETRIES + 1} tries)")
        sleep(2.0**attempt)
    raise PullError("unavailable", f"still rate limited after {RETRIES + 1} tries")
