"""`POST /webhooks/{source}`: signed deliveries from survey platforms, into the pipeline.

Only the signature check runs on the event loop. Parsing, tagging and masking run in a worker
thread and the write goes through the process's writer, so a delivery that waits for another
process's write lock holds up nothing else; if the lock outlasts the busy timeout, the platform
is told to retry (503 with Retry-After) and nothing is recorded as delivered.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from ingest.adapter import Parse
from ingest.registry import WEBHOOKS
from ingest.webhooks import Rejected, now
from ticker.pipeline import Pipeline, numbered
from ticker.records import RecordError
from ticker.settings import SettingsError
from ticker.sources import Source
from ticker.store import Busy, QuarantinedRow, Store, StoreError
from web.state import AppState

log = logging.getLogger("voc_ticker.webhooks")
MAX_BODY = 1024 * 1024
RETRY_AFTER = "30"


class TooBig(Exception):
    """The body passed its limit while it was read."""


async def receive(request: Request) -> Response:
    """Verify on the raw body, drop replays, store the verbatims; 401 stores nothing."""
    state: AppState = request.app.state.voc
    name = request.path_params["source"]
    source = state.sources.get(name)
    if source is None or source.adapter not in WEBHOOKS:
        return JSONResponse({"error": f"no webhook source named {name!r}"}, status_code=404)
    try:
        body = await read_limited(request)
    except TooBig:
        return JSONResponse({"error": "delivery larger than 1 MiB"}, status_code=413)
    except ClientDisconnect:
        return JSONResponse({"error": "the delivery was cut off"}, status_code=400)
    verify, parse = WEBHOOKS[source.adapter].verify, WEBHOOKS[source.adapter].parse
    try:
        delivery = verify(source.secret(), request.headers, body, now())
    except Rejected as exc:
        log.warning("webhook %s refused: %s", name, exc)  # never the body or the secret
        return JSONResponse({"error": str(exc)}, status_code=exc.status)
    except SettingsError as exc:
        log.error("webhook %s cannot verify: %s", name, exc)
        return JSONResponse({"error": "source is not configured on the server"}, status_code=500)
    try:
        if await state.readers.run(lambda s: s.delivered(name, delivery)):
            return JSONResponse({"delivery": delivery, "duplicate": True})
        status, answer = await asyncio.to_thread(
            _take, state.pipeline, source, parse, delivery, body
        )
    except StoreError as exc:  # Busy: another process's lock outlasted the busy timeout
        log.warning("webhook %s delivery %s deferred: %s", name, delivery, exc)
        said = "busy" if isinstance(exc, Busy) else "not writable"
        return JSONResponse(
            {"error": f"the database is {said}; retry later", "delivery": delivery},
            status_code=503,
            headers={"Retry-After": RETRY_AFTER},
        )
    return JSONResponse({"delivery": delivery, **answer}, status_code=status)


async def read_limited(request: Request, limit: int = MAX_BODY) -> bytes:
    """The body, refused as soon as it is known to pass `limit`: from Content-Length before
    reading anything, else while it streams in (a 200 MB post never sits in memory)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooBig
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooBig
        chunks.append(chunk)
    return b"".join(chunks)


def _take(
    pipeline: Pipeline, source: Source, parse: Parse, delivery: str, body: bytes
) -> tuple[int, dict[str, Any]]:
    """In a worker thread: parse, then store the verbatims or quarantine the delivery."""
    try:
        verbatims = parse(source, json.loads(body))
    except (ValueError, RecordError, RecursionError) as exc:  # RecursionError: [[[[… deep JSON
        reason = "JSON nested too deep" if isinstance(exc, RecursionError) else str(exc)
        bad = QuarantinedRow(0, f"delivery {delivery}: {reason}"[:300], _raw(body))
        pipeline.writes.write(lambda s: _quarantine(s, source.name, delivery, bad))
        return 422, {"quarantined": reason}
    report = pipeline.ingest(source.name, source.adapter, "webhook", numbered(verbatims))
    # Only now: a failure above is retried in full by the platform.
    pipeline.writes.write(lambda s: s.record_delivery(source.name, delivery))
    return 200, {"added": report.added, "updated": report.updated}


def _quarantine(store: Store, name: str, delivery: str, bad: QuarantinedRow) -> None:
    store.quarantine(name, "webhook", [bad])
    store.record_delivery(name, delivery)


def _raw(body: bytes) -> str:
    """What is kept of a quarantined body (at most MAX_BODY bytes, as text)."""
    return body.decode("utf-8", "replace")
