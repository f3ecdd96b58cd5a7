"""Each protocol constructor makes a documented message, and the type lists match the doc."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import jsonschema
import pytest

from tests.conftest import ROOT
from tests.web.test_protocol import schemas
from ticker import protocol
from ticker.feeds import Display, Feed
from ticker.playlist import display_fields
from ticker.protocol import CLIENT_TYPES, SERVER_TYPES, Item
from ticker.records import Stored

COMMENT = Stored(
    id="c-0",
    source="Support survey",
    text="Anna Berg waited 40 minutes, call her on 0171 234567",
    score=3,
    scale="nps",
    given_at="2024-05-01T10:00:00Z",
    meta={"product": "Pro", "email": "anna@example.com"},
    bucket="bad",
    compound=-0.6,
    state="approved",
    pinned=False,
    ingested_at="2024-05-01T10:05:00Z",
    shown_text="[name] waited 40 minutes — call her on [phone] ☎",
)


def item(n: int, **fields: Any) -> Item:
    """A protocol item made the way the server makes them, from a stored comment."""
    return replace(COMMENT, id=f"c-{n}", **fields).to_item(1000, ("product",))


DISPLAY = display_fields(Feed("support", "Support", display=Display(80, "right", "dark")))
BUILT: dict[str, protocol.Message] = {
    "snapshot": protocol.snapshot(
        "support",
        "Support — last 30 days",
        DISPLAY,
        20.0,
        [item(1), item(2, score=None, scale=None, given_at=None, meta={}, pinned=True)],
        None,
        "3f9a1c22b07e",
        41,
    ),
    "resumed": protocol.resumed("support", "3f9a1c22b07e", 41, 20.0),
    # The playlist numbers each change as it makes it (ticker/playlist.py `Shown.then`).
    "add": {**protocol.add(item(3, bucket="good", scale="csat5", score=5), 0), "offset": 42},
    "update": {**protocol.update(item(4, bucket="ugly", scale="stars5"), 7), "offset": 43},
    "remove": {**protocol.remove("c-1042"), "offset": 44},
    "display": {**protocol.display(DISPLAY), "offset": 45},
    "spotlight": {
        **protocol.spotlight(
            {"item": item(5, bucket="ugly"), "until": "2024-05-02T08:35:00+00:00", "seconds": 300.0}
        ),
        "offset": 46,
    },
    "heartbeat": protocol.heartbeat("2024-05-02T08:30:20Z"),
    "error": protocol.error("unknown_feed", 'There is no feed called "suport".'),
    "pong": protocol.pong(),
}


def test_every_server_type_has_a_constructor_case_here() -> None:
    """The table below covers each type the server sends, so a new type needs a new case."""
    assert set(BUILT) == set(SERVER_TYPES)


@pytest.mark.parametrize("kind", list(BUILT))
def test_each_constructor_builds_a_message_valid_against_its_schema(kind: str) -> None:
    """What a constructor returns, encoded and decoded again, validates against the doc's schema."""
    message = BUILT[kind]
    assert message["type"] == kind
    jsonschema.validate(json.loads(protocol.encode(message)), schemas()[kind])


def test_the_client_ping_is_valid_against_its_schema() -> None:
    """The only client message (which the server never builds) matches its schema."""
    jsonschema.validate({"type": "ping"}, schemas()["ping"])


def test_an_empty_snapshot_is_valid() -> None:
    """A feed with no comments yet still gets a valid snapshot."""
    message = protocol.snapshot("all", "All comments", DISPLAY, 0.5, [], None, "a1", 0)
    jsonschema.validate(message, schemas()["snapshot"])


def test_encode_is_compact_json() -> None:
    """No spaces after separators and keys in the order the constructor gives them."""
    assert protocol.encode(protocol.remove("c-1")) == '{"type":"remove","id":"c-1"}'
    assert protocol.encode(protocol.pong()) == '{"type":"pong"}'


def test_encode_keeps_non_ascii_characters() -> None:
    """Accents, dashes and emoji go out as themselves, not as \\u escapes."""
    text = protocol.encode(protocol.error("bad_message", "Café — naïve ☕ 😀"))
    assert "Café — naïve ☕ 😀" in text
    assert "\\u" not in text


def test_encode_still_escapes_what_json_must_escape() -> None:
    """Quotes, backslashes and newlines stay escaped, so each message is one valid JSON text."""
    message = protocol.error("bad_message", 'a "quoted"\\ line\nand a tab\t')
    text = protocol.encode(message)
    assert "\n" not in text
    assert json.loads(text) == message


def test_encode_round_trips_every_message() -> None:
    """Decoding an encoded message gives back the message."""
    for message in BUILT.values():
        assert json.loads(protocol.encode(message)) == message


def test_the_type_lists_have_no_duplicates() -> None:
    """No type is listed twice, nor as both a server and a client message."""
    both = SERVER_TYPES + CLIENT_TYPES
    assert len(set(both)) == len(both)


def test_the_types_are_those_with_a_schema_in_the_doc() -> None:
    """Every type in the module has a schema in docs/protocol.md, and every schema a type."""
    assert set(schemas()) == set(SERVER_TYPES + CLIENT_TYPES)


def test_the_types_are_those_the_doc_lists_for_each_direction() -> None:
    """The doc's "Server → client: … Client → server: …" sentence names the same types."""
    doc = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    found = re.search(r"Server → client:(.*?)\.\s+Client → server:(.*?)(?:\(|\.\s)", doc, re.S)
    assert found, "the doc no longer has its 'Server → client: … Client → server: …' sentence"
    server, client = (re.findall(r"`([a-z_]+)`", part) for part in found.groups())
    assert set(server) == set(SERVER_TYPES)
    assert set(client) == set(CLIENT_TYPES)
