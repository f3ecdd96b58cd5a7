"""Every message a real server sends matches its JSON Schema in docs/protocol.md."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import jsonschema
import pytest

from tests.conftest import ROOT, Running, add, start_server
from tests.web.test_stream import BAD, GOOD, client, next_of
from ticker import curation, protocol
from ticker.feeds import Display
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store


def schemas() -> dict[str, dict[str, Any]]:
    """The `json schema` blocks of docs/protocol.md, by title."""
    doc = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json schema\n(.*?)```", doc, re.S)
    found = {s["title"]: s for s in map(json.loads, blocks)}
    for schema in found.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    return found


def test_the_doc_has_a_schema_for_every_message() -> None:
    """Each message type the server or a client may send is documented."""
    assert set(schemas()) == set(protocol.SERVER_TYPES + protocol.CLIENT_TYPES)


async def test_real_messages_match_their_schemas(
    server: Running, store: Store, tagger: Tagger, settings: Settings
) -> None:
    """Snapshot, add, update, remove, display, pong and error from a live server validate."""
    docs = schemas()
    ids = add(store, tagger, *GOOD[:3], BAD[0])
    seen: dict[str, dict[str, Any]] = {}
    async with client(server) as ws:
        seen["snapshot"] = await next_of(ws, "snapshot")
        add(store, tagger, BAD[1])
        seen["add"] = await next_of(ws, "add")
        curation.pin(store, ids[-1], "sam")
        seen["update"] = await next_of(ws, "update")
        curation.hide(store, ids[0], "dana")
        seen["remove"] = await next_of(ws, "remove")
        store.save_feed(replace(store.feed("all"), display=Display(speed=90, theme="dark")))
        seen["display"] = await next_of(ws, "display")
        await ws.send('{"type": "ping"}')
        seen["pong"] = await next_of(ws, "pong")
        await ws.send("nonsense")
        seen["error"] = await next_of(ws, "error")
    for kind, message in seen.items():
        jsonschema.validate(message, docs[kind])
    jsonschema.validate({"type": "ping"}, docs["ping"])


@pytest.fixture(params=["http-port", "stream-port"])
def beating_server(request: pytest.FixtureRequest, settings: Settings, store: Store) -> Any:
    """A server that beats five times a second."""
    yield from start_server(replace(settings, heartbeat_seconds=0.2), request.param)


async def test_heartbeats_match_their_schema(beating_server: Running) -> None:
    """Heartbeats arrive on their interval and validate."""
    async with client(beating_server) as ws:
        snap = await next_of(ws, "snapshot")
        beat = await next_of(ws, "heartbeat")
    assert snap["heartbeat"] == 0.2
    jsonschema.validate(beat, schemas()["heartbeat"])
