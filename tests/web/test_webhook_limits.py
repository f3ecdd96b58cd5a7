"""Webhook deliveries that are too big or too deep: refused or quarantined, never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from starlette.requests import Request
from starlette.types import Message

from tests.conftest import Running, serving
from tests.web.test_webhooks import SOURCES, generic_headers, post
from ticker.settings import Settings
from ticker.store import Store
from web.webhooks import MAX_BODY, TooBig, read_limited


@pytest.fixture
def hooks(settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[Running]:
    monkeypatch.setenv("VOC_TEST_GENERIC_SECRET", "generic-secret")
    with serving(settings, sources=SOURCES) as server:
        yield server


def test_a_declared_length_over_the_limit_is_refused_before_reading(hooks: Running) -> None:
    """Content-Length over 1 MiB is answered 413 at once, whatever follows."""
    response = httpx.post(
        f"{hooks.http}/webhooks/generic",
        content=b"x" * (MAX_BODY + 1),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


def test_a_streamed_body_is_refused_at_the_limit(hooks: Running, store: Store) -> None:
    """A chunked post without a length that passes 1 MiB is answered 413 and stores nothing."""

    def chunks() -> Iterator[bytes]:
        for _ in range(4):
            yield b"[" * (512 * 1024)

    try:
        status = httpx.post(f"{hooks.http}/webhooks/generic", content=chunks()).status_code
    except httpx.TransportError:  # the server may close the connection on the rest
        status = 413
    assert status == 413
    assert store.count() == 0


async def test_reading_stops_at_the_limit() -> None:
    """The body is read only up to the limit: a 200 MiB post never sits in memory."""
    sent = 0

    async def receive() -> Message:
        nonlocal sent
        sent += 1
        return {"type": "http.request", "body": b"[" * 1024 * 1024, "more_body": sent < 200}

    request = Request({"type": "http", "method": "POST", "headers": []}, receive)
    with pytest.raises(TooBig):
        await read_limited(request)
    assert sent == 2  # the second MiB passed the limit; the other 198 were never asked for


def test_json_nested_a_hundred_thousand_deep_is_quarantined(hooks: Running, store: Store) -> None:
    """A signed body nested 100,000 deep is quarantined with 422 and remembered, not a 500."""
    body = b"[" * 100_000 + b"]" * 100_000
    response = post(hooks, "generic", body, generic_headers(body, delivery="deep"))
    assert response.status_code == 422 and "deep" in response.json()["quarantined"]
    [row] = store.quarantined("generic")
    assert "nested too deep" in row["reason"]
    again = post(hooks, "generic", body, generic_headers(body, delivery="deep"))
    assert again.status_code == 200 and again.json()["duplicate"] is True


@pytest.mark.parametrize(
    "payload",
    [
        {"id": "a", "text": "Fine", "scale": "percent", "score": 5},
        {"id": "a", "text": "Fine", "scale": ["nps"], "score": 5},
        {"id": "a", "text": "Fine", "meta": 5},
        {"id": "a", "text": "Fine", "meta": ["a", "b"]},
        {"id": "a", "text": "Fine", "score": {"value": 9}},
        [{"id": "a", "text": "Fine"}, 7],
    ],
)
def test_signed_but_malformed_generic_deliveries_are_quarantined(
    hooks: Running, store: Store, payload: object
) -> None:
    """A malformed delivery answers 422 and is kept in the quarantine, never a 500."""
    body = json.dumps(payload).encode()
    response = post(hooks, "generic", body, generic_headers(body, delivery="bad"))
    assert response.status_code == 422, response.text
    assert len(store.quarantined("generic")) == 1 and store.count() == 0


def test_a_lone_surrogate_is_quarantined_not_a_500(hooks: Running, store: Store) -> None:
    """JSON may escape half a character ("\\ud800"): the delivery is quarantined with 422."""
    body = b'{"id": "s-1", "text": "Broken \\ud800 text"}'
    response = post(hooks, "generic", body, generic_headers(body, delivery="half"))
    assert response.status_code == 422 and "surrogate" in response.json()["quarantined"]
    assert store.count() == 0 and len(store.quarantined("generic")) == 1
