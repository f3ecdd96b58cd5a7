"""The console's live line: "something changed" and the counts, and an end at sign-out.

Each open console polls two cheap maxima (the last comment's rowid, the last log event's id)
and its session, a few times a second, on the reading threads: a new comment, a curation by
anyone in any process, a sign-out or a removal elsewhere is seen within a second. Sign-out in
this process ends the connection at once (web/consoles.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from ticker import queue
from ticker.accounts import Accounts
from ticker.store import Store
from web.auth import Refused, identify
from web.state import AppState

POLL_SECONDS = 0.25
SIGNED_OUT = 4401  # close code: the session ended; the page goes to the sign-in form


def _marker(store: Store) -> tuple[int, int]:
    row = store.db.execute(
        "SELECT (SELECT coalesce(max(rowid), 0) FROM verbatims), "
        "(SELECT coalesce(max(id), 0) FROM curation_log)"
    ).fetchone()
    return int(row[0]), int(row[1])


def _same_origin(ws: WebSocket) -> bool:
    """A page of another site must not ride the cookie into the console (CSWSH)."""
    origin = ws.headers.get("origin")
    host = ws.headers.get("host", "")
    return origin is None or origin.split("://", 1)[-1] == host


async def console_stream(ws: WebSocket) -> None:
    state: AppState = ws.app.state.voc
    try:
        who = await identify(ws)
    except Refused:
        who = None
    if who is None or who.session is None or not _same_origin(ws):
        await ws.close(SIGNED_OUT)
        return
    session = who.session.id
    await ws.accept()
    with state.consoles.opened(session, who.user.email) as conn:
        ended = asyncio.create_task(conn.ended.wait())
        gone = asyncio.create_task(_until_closed(ws))
        try:
            last: Any = None
            while not ended.done() and not gone.done():
                marker, user = await state.readers.run(
                    lambda s: (_marker(s), Accounts(s).session_alive(session))
                )
                if user is None or user.role != who.user.role or user.feeds != who.user.feeds:
                    break  # signed out, removed or changed elsewhere: the page starts over
                if marker != last:  # counting reads an index range per state: only on a change
                    counts = await state.readers.run(queue.counts)
                    await ws.send_json({"type": "changed", "counts": counts})
                    last = marker
                await asyncio.wait({ended, gone}, timeout=POLL_SECONDS)
            if not gone.done():
                with contextlib.suppress(Exception):
                    await ws.close(SIGNED_OUT)
        finally:
            ended.cancel()
            gone.cancel()


async def _until_closed(ws: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await ws.receive_text()  # the console sends nothing; this notices it leaving
