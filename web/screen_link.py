"""The screens' own line: `/screen` shows a new screen's code, `/screens/hello` pairs it and
then carries its heartbeats (what it shows now) and tells it which feed to show.

A screen sends its key in the `X-Display-Token` header, never in a URL; its heartbeats are
written in batches (web/beats.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ticker import screens
from ticker.screens import RevokedKey, ScreenError
from ticker.store import Store
from web.auth import client_address
from web.state import AppState
from web.webhooks import TooBig, read_limited

HEADER = "x-display-token"
MAX_BODY = 8 * 1024
MAX_WAITING = 1000  # screens showing a code at once; more is someone filling the table
MAX_IDS = 50


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
    state: AppState = request.app.state.voc
    key = request.headers.get(HEADER, "")
    try:
        screens.check_key(key)
        raw = await read_limited(request, MAX_BODY)
        body = json.loads(raw) if raw.strip() else {}
    except ScreenError as exc:
        return _refused(422, str(exc))
    except TooBig:
        return _refused(413, f"a heartbeat is at most {MAX_BODY} bytes")
    except (ValueError, RecursionError):
        return _refused(422, "a heartbeat is a JSON object")
    screen = await state.readers.run(lambda s: screens.paired(s, key))
    if screen is not None:
        state.beats.add(screen.token_id, _showing(body), client_address(request))
        return JSONResponse(
            {
                "registered": True,
                "screen": {"id": screen.id, "name": screen.name, "location": screen.location},
                "feed": screen.feed_at(datetime.now(UTC)),
                "heartbeat_seconds": state.settings.screen_heartbeat_seconds,
            }
        )

    def waiting(store: Store) -> str | None:
        code = screens.waiting_code(store, key)
        if code is None and screens.waiting(store) >= MAX_WAITING:
            return None
        return code or screens.pair(store, key)

    code = await state.readers.run(lambda s: screens.waiting_code(s, key))
    try:
        code = code or await state.write(waiting)
    except RevokedKey as exc:
        return _refused(409, str(exc))
    if code is None:
        return _refused(429, "too many screens are waiting to be registered; try again later")
    return JSONResponse(
        {
            "registered": False,
            "code": code,
            "expires_minutes": screens.PAIRING_LIFE.seconds // 60,
            "heartbeat_seconds": 3,
        }
    )
