"""The screens' own line: `/screen` shows a new screen's code, `/screens/hello` pairs it and
then carries its heartbeats (what it shows now) and tells it which feed to show.

A screen sends its key in the `X-Display-Token` header, never in a URL; only the key's digest
goes further. The origin answers from its store (StoreDesk); an edge from what the origin
mirrors to Redis (web/screen_relay.py). Either way heartbeats are passed on in batches
(web/beats.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ticker import screens
from ticker.screens import RevokedKey, Screen, ScreenError
from ticker.settings import Settings
from web.auth import client_address
from web.desk import Desk, DeskUnavailable
from web.webhooks import TooBig, read_limited

HEADER = "x-display-token"
MAX_BODY = 8 * 1024
MAX_IDS = 50


class Hosting(Protocol):
    """What the hello needs of the process it runs in: the origin's state, or an edge's."""

    @property
    def settings(self) -> Settings: ...

    @property
    def desk(self) -> Desk: ...


def _showing(body: Any) -> dict[str, Any]:
    """What the widget said it shows (its `voc-now-showing` event), kept to known fields."""
    found = body.get("showing") if isinstance(body, dict) else None
    if not isinstance(found, dict) or not found:
        return {}
    ids, buckets = found.get("ids"), found.get("buckets")
    return {
        "feed": str(found.get("feed", ""))[:64],
        "layout": str(found.get("layout", ""))[:16],
        "ids": [str(i)[:80] for i in ids[:MAX_IDS]] if isinstance(ids, list) else [],
        "buckets": {
            str(k)[:16]: v
            for k, v in list(buckets.items())[:8]
            if isinstance(v, int) and not isinstance(v, bool)
        }
        if isinstance(buckets, dict)
        else {},
        "spotlight": found.get("spotlight") is True,
    }


def _refused(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status)


async def hello(request: Request) -> Response:
    """A screen says hello: its code while it waits, then its feed for now and next beat."""
    state: Hosting = request.app.state.voc
    try:
        hashed = screens.key_digest(request.headers.get(HEADER, ""))
        raw = await read_limited(request, MAX_BODY)
        body = json.loads(raw) if raw.strip() else {}
    except ScreenError as exc:
        return _refused(422, str(exc))
    except TooBig:
        return _refused(413, f"a heartbeat is at most {MAX_BODY} bytes")
    except (ValueError, RecursionError):
        return _refused(422, "a heartbeat is a JSON object")
    try:
        found = await state.desk.answer(hashed)
    except RevokedKey as exc:
        return _refused(409, str(exc))
    except DeskUnavailable as exc:
        return JSONResponse({"error": str(exc)}, 503, headers={"Retry-After": "10"})
    if isinstance(found, Screen):
        state.desk.beats.add(found.token_id, _showing(body), client_address(request))
        return JSONResponse(
            {
                "registered": True,
                "screen": {"id": found.id, "name": found.name, "location": found.location},
                "feed": found.feed_at(datetime.now(UTC)),
                "heartbeat_seconds": state.settings.screen_heartbeat_seconds,
            }
        )
    if found is None:
        return _refused(429, "too many screens are waiting to be registered; try again later")
    return JSONResponse(
        {
            "registered": False,
            "code": found,
            "expires_minutes": screens.PAIRING_LIFE.seconds // 60,
            "heartbeat_seconds": 3,
        }
    )
