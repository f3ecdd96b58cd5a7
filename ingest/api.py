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

from ticker.pipeline import Row

RETRIES = 4
MAX_WAIT = 300.0  # seconds: a longer rate-limit wait is left to the next scheduled pull
# Where a platform says how long to wait when it sends no Retry-After (SurveyMonkey).
_RESET_HEADERS = ("x-ratelimit-app-global-minute-reset", "x-ratelimit-reset")


class PullError(Exception):
    """A pull that cannot go on; `auth` failures must not be retried until someone acts."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Page:
    """One page of an API: its rows and where the next pull resumes after it."""

    rows: list[Row]  # verbatims, and responses quarantined with the reason
    cursor: str | None
    skipped: int  # responses without a comment, not rated yet, previews


Sleep = Callable[[float], None]


def fetch(
    client: httpx.Client,
    method: str,
    url: str,
    sleep: Sleep,
    platform: str,
    **request: Any,
) -> httpx.Response:
    """One request with the platform's manners: wait out 429s, back off on 5xx, stop on 401/403."""
    for attempt in range(RETRIES + 1):
        try:
            response = client.request(method, url, **request)
        except httpx.TransportError as exc:
            problem = f"cannot reach {url}: {exc}"
        else:
            if response.status_code in (401, 403):
                raise PullError(
                    "auth",
                    f"{platform} refused the credentials ({response.status_code}"
                    f"{_said(response)}); check the token (and user) of this source",
                )
            if response.status_code == 429:
                sleep(_wait(response))
                continue
            if 400 <= response.status_code < 500:
                raise PullError(
                    "request",
                    f"{platform} answered {response.status_code}{_said(response)} for "
                    f"{url}; check the source's url and survey",
                )
            if response.status_code < 400:
                return response
            problem = f"{platform} answered {response.status_code}"
        if attempt == RETRIES:
            raise PullError("unavailable", f"{problem} (gave up after {RETRIES + 1} tries)")
        sleep(2.0**attempt)
    raise PullError("unavailable", f"still rate limited after {RETRIES + 1} tries")


def get_json(
    client: httpx.Client, url: str, params: dict[str, Any], sleep: Sleep, platform: str, **auth: Any
) -> Any:
    """A GET whose answer must be a JSON document (`auth=` or `headers=` as httpx takes them).

    No params keeps the URL's own query (a `links.next`): httpx replaces it with any params given.
    """
    return as_json(fetch(client, "GET", url, sleep, platform, params=params or None, **auth))


def as_json(response: httpx.Response) -> Any:
    try:
        data = response.json()
    except ValueError:
        data = None
    if data is None:
        raise PullError("schema", "the answer is not JSON; has the API changed?")
    return data


def _wait(response: httpx.Response) -> float:
    """Seconds to wait on a 429: Retry-After, else the platform's reset header, else a minute."""
    for header in ("retry-after", *_RESET_HEADERS):
        try:
            return min(max(float(response.headers[header]), 0.0), MAX_WAIT)
        except (KeyError, ValueError):
            continue
    return 60.0


def _said(response: httpx.Response) -> str:
    """The platform's own words about an error, where its body has them."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    error, meta, errors = body.get("error"), body.get("meta"), body.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    candidates = [
        error.get("message") if isinstance(error, dict) else error,  # SurveyMonkey, Zendesk
        body.get("description"),  # Typeform
        body.get("message"),  # Delighted
        meta.get("error", {}).get("errorMessage") if isinstance(meta, dict) else None,  # Qualtrics
        first.get("detail") or first.get("title"),  # JSON:API (App Store Connect)
    ]
    said = next((c for c in candidates if isinstance(c, str) and c.strip()), "")
    return f": {said.strip()[:200]}" if said else ""
