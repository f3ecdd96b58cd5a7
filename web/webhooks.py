"""`POST /webhooks/{source}`: signed deliveries from survey platforms, into the pipeline."""

from __future__ import annotations

import json
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ingest.webhooks import ADAPTERS, Rejected, now
from ticker.pipeline import Pipeline, numbered
from ticker.records import RecordError
from ticker.settings import SettingsError
from ticker.store import QuarantinedRow
from web.state import AppState

log = logging.getLogger("voc_ticker.webhooks")
MAX_BODY = 1024 * 1024


async def receive(request: Request) -> Response:
    """Verify on the raw body, drop replays, store the verbatims; 401 stores nothing."""
    state: AppState = request.app.state.voc
    name = request.path_params["source"]
    source = state.sources.get(name)
    if source is None or source.adapter not in ADAPTERS:
        return JSONResponse({"error": f"no webhook source named {name!r}"}, status_code=404)
    body = await request.body()
    if len(body) > MAX_BODY:
        return JSONResponse({"error": "delivery larger than 1 MiB"}, status_code=413)
    verify, parse = ADAPTERS[source.adapter]
    try:
        delivery = verify(source.secret(), request.headers, body, now())
    except Rejected as exc:
        log.warning("webhook %s refused: %s", name, exc)  # never the body or the secret
        return JSONResponse({"error": str(exc)}, status_code=exc.status)
    except SettingsError as exc:
        log.error("webhook %s cannot verify: %s", name, exc)
        return JSONResponse({"error": "source is not configured on the server"}, status_code=500)
    if state.store.delivered(name, delivery):
        return JSONResponse({"delivery": delivery, "duplicate": True})
    try:
        verbatims = parse(source, json.loads(body))
    except (ValueError, RecordError) as exc:
        bad = QuarantinedRow(
            0, f"delivery {delivery}: {exc}"[:300], body.decode("utf-8", "replace")
        )
        state.store.quarantine(name, "webhook", [bad])
        state.store.record_delivery(name, delivery)
        return JSONResponse({"delivery": delivery, "quarantined": str(exc)}, status_code=422)
    pipeline = Pipeline(state.store, state.tagger, workers=1, redactor=state.redactor)
    report = pipeline.ingest(name, source.adapter, "webhook", numbered(verbatims))
    state.store.record_delivery(name, delivery)  # only now: a failure above is retried in full
    return JSONResponse({"delivery": delivery, "added": report.added})
