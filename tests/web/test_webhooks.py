"""Signed webhooks: valid, tampered, stale, replayed and unsigned deliveries, per platform."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import ROOT, Running, reader, start_server
from ticker.settings import Settings
from ticker.sources import Source
from ticker.store import Store

FIXTURES = ROOT / "tests" / "fixtures" / "webhooks"
TYPEFORM = (FIXTURES / "typeform_form_response.json").read_bytes()
FORMBRICKS_BODY = json.loads((FIXTURES / "formbricks_response_finished.json").read_text())
FORMBRICKS_BODY["data"]["data"] = {"q1": "9", "q2": "The installer was great, fast and tidy."}
FORMBRICKS = json.dumps(FORMBRICKS_BODY).encode()
DELIGHTED = (FIXTURES / "delighted_response_updated.json").read_bytes()
WHSEC = "whsec_" + base64.b64encode(b"formbricks-secret-key-32-bytes!!").decode()
SOURCES = {
    "generic": Source("generic", "webhook", "VOC_TEST_GENERIC_SECRET"),
    "typeform": Source("typeform", "typeform-webhook", "VOC_TEST_TYPEFORM_SECRET"),
    "formbricks": Source(
        "formbricks",
        "formbricks-webhook",
        "VOC_TEST_FORMBRICKS_SECRET",
        text=("q2",),
        score="q1",
        scale="nps",
    ),
    "delighted": Source("delighted", "delighted-webhook", "VOC_TEST_DELIGHTED_KEY"),
}


@pytest.fixture
def hooks(settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[Running]:
    monkeypatch.setenv("VOC_TEST_GENERIC_SECRET", "generic-secret")
    monkeypatch.setenv("VOC_TEST_TYPEFORM_SECRET", "typeform-secret")
    monkeypatch.setenv("VOC_TEST_FORMBRICKS_SECRET", WHSEC)
    monkeypatch.setenv("VOC_TEST_DELIGHTED_KEY", "delighted-api-key")
    yield from start_server(settings, sources=SOURCES)


def generic_headers(body: bytes, delivery: str = "d-1", stamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if stamp is None else stamp)
    mac = hmac.new(b"generic-secret", ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"x-voc-delivery": delivery, "x-voc-timestamp": ts, "x-voc-signature": "sha256=" + mac}


def typeform_headers(body: bytes) -> dict[str, str]:
    mac = base64.b64encode(hmac.new(b"typeform-secret", body, hashlib.sha256).digest()).decode()
    return {"typeform-signature": "sha256=" + mac}


def delighted_headers(body: bytes) -> dict[str, str]:
    mac = hmac.new(b"delighted-api-key", body, hashlib.sha256).hexdigest()
    return {"x-delighted-webhook-signature": "sha256=" + mac}


def standard_headers(
    body: bytes, delivery: str = "msg_1", stamp: int | None = None
) -> dict[str, str]:
    ts = str(int(time.time()) if stamp is None else stamp)
    key = base64.b64decode(WHSEC.removeprefix("whsec_"))
    mac = base64.b64encode(
        hmac.new(key, f"{delivery}.{ts}.".encode() + body, hashlib.sha256).digest()
    )
    return {
        "webhook-id": delivery,
        "webhook-timestamp": ts,
        "webhook-signature": "v1," + mac.decode(),
    }


GENERIC = json.dumps(
    {"id": "r-1", "text": "Great support, thanks!", "score": 9, "scale": "nps"}
).encode()


DELIVERIES = [
    ("generic", GENERIC, generic_headers),
    ("typeform", TYPEFORM, typeform_headers),
    ("formbricks", FORMBRICKS, standard_headers),
    ("delighted", DELIGHTED, delighted_headers),
]


def post(server: Running, source: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{server.http}/webhooks/{source}", content=body, headers=headers)


@pytest.mark.parametrize(("source", "body", "sign"), DELIVERIES)
def test_a_valid_delivery_is_stored(
    hooks: Running, store: Store, source: str, body: bytes, sign: object
) -> None:
    """A correctly signed delivery adds its comments."""
    response = post(hooks, source, body, sign(body))  # type: ignore[operator]
    assert response.status_code == 200 and response.json()["added"] >= 1
    assert store.count(source=source) == response.json()["added"]


@pytest.mark.parametrize(("source", "body", "sign"), DELIVERIES)
def test_tampered_and_unsigned_deliveries_are_401_and_store_nothing(
    hooks: Running, store: Store, source: str, body: bytes, sign: object
) -> None:
    """Changing one byte after signing, or not signing at all, is refused."""
    headers = sign(body)  # type: ignore[operator]
    tampered = body.replace(b"e", b"E", 1)
    assert post(hooks, source, tampered, headers).status_code == 401
    assert post(hooks, source, body, {}).status_code == 401
    assert store.count() == 0


def test_stale_deliveries_are_refused(hooks: Running, store: Store) -> None:
    """A delivery signed more than five minutes ago is refused (Standard Webhooks and generic)."""
    old = int(time.time()) - 301
    assert (
        post(hooks, "formbricks", FORMBRICKS, standard_headers(FORMBRICKS, stamp=old)).status_code
        == 401
    )
    assert post(hooks, "generic", GENERIC, generic_headers(GENERIC, stamp=old)).status_code == 401
    assert store.count() == 0


@pytest.mark.parametrize(("source", "body", "sign"), DELIVERIES)
def test_the_same_delivery_again_and_again_is_one_row(
    hooks: Running, store: Store, source: str, body: bytes, sign: object
) -> None:
    """Replays are answered (so the platform stops retrying) but stored once."""
    headers = sign(body)  # type: ignore[operator]
    answers = [post(hooks, source, body, headers).json() for _ in range(25)]
    assert answers[0]["added"] == 1 and all(a["duplicate"] for a in answers[1:])
    assert store.count(source=source) == 1


def test_typeform_comments_are_the_long_text_answers(hooks: Running, store: Store) -> None:
    """Names and emails answered in short-text fields are not comments."""
    post(hooks, "typeform", TYPEFORM, typeform_headers(TYPEFORM))
    [row] = [store.get(r["id"]) for r in store.db.query("SELECT id FROM verbatims")]
    assert row.text.startswith("It's cold right now!") and row.meta["question"].startswith(
        "Thanks,"
    )


def test_formbricks_answers_by_question_id_with_their_score(hooks: Running, store: Store) -> None:
    """The configured question is the comment, the configured score its NPS."""
    post(hooks, "formbricks", FORMBRICKS, standard_headers(FORMBRICKS))
    [row] = [store.get(r["id"]) for r in store.db.query("SELECT id FROM verbatims")]
    assert (row.text, row.score, row.scale) == (
        "The installer was great, fast and tidy.",
        9.0,
        "nps",
    )


def test_delighted_comments_arrive_on_updates(hooks: Running, store: Store) -> None:
    """A `created` event with only a score adds nothing; the `updated` one with the comment does;
    an unsubscribe is answered and ignored. The person's name and email are never kept."""
    event = json.loads(DELIGHTED)
    created = dict(event, event_id="e-created", event_type="survey_response.created")
    created["event_data"] = dict(event["event_data"], comment=None)
    unsubscribe = {"event_type": "unsubscribe.created", "event_id": "e-unsub", "event_data": {}}
    answers = []
    for body in (json.dumps(created).encode(), DELIGHTED, json.dumps(unsubscribe).encode()):
        answers.append(post(hooks, "delighted", body, delighted_headers(body)).json()["added"])
    assert answers == [0, 1, 0]
    [row] = [store.get(r["id"]) for r in store.db.query("SELECT id FROM verbatims")]
    assert (row.text, row.score, row.scale) == (
        "Your service is fast and flawless!",
        9.0,
        "nps",
    )
    assert "Charlie" not in json.dumps(row.meta) and "charlie" not in json.dumps(row.meta)


def test_a_malformed_payload_is_quarantined(hooks: Running, store: Store) -> None:
    """A signed delivery that is not what the adapter expects is kept in quarantine, 422."""
    body = b'{"hello": "world"}'
    response = post(hooks, "generic", body, generic_headers(body, delivery="d-bad"))
    assert response.status_code == 422 and store.count() == 0
    assert "text" in store.quarantined("generic")[0]["reason"]


def test_an_unknown_source_is_404(hooks: Running) -> None:
    """Deliveries to a source that is not configured are refused."""
    assert post(hooks, "nope", GENERIC, generic_headers(GENERIC)).status_code == 404


def test_sources_health_over_http(hooks: Running, store: Store) -> None:
    """/api/v1/sources shows each configured source; a delivery turns it from waiting to ok."""
    post(hooks, "generic", GENERIC, generic_headers(GENERIC))
    rows = httpx.get(f"{hooks.http}/api/v1/sources", headers=reader(store)).json()
    status = {row["name"]: row["status"] for row in rows}
    assert status == {
        "generic": "ok",
        "typeform": "waiting",
        "formbricks": "waiting",
        "delighted": "waiting",
    }
