"""The rules API on a real server: admins write, curators read, bad rules are 422s that say why;
and the rules' operations fuzzed with an admin's token (the suite's fuzz test holds a curator's,
whom they refuse)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error

from tests.conftest import add, serving, token_for
from tests.web.test_api_fuzz import DOCUMENT, FUZZING, errors_say_what
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store

COMMENTS = [
    Verbatim("support", "I was charged twice, refund me", "1", 2, "csat5"),
    Verbatim("support", "The engineer was brilliant, thank you", "2", 5, "csat5"),
    Verbatim("retail", "Refund took a month", "3", 1, "stars5", meta={"store": "Leeds"}),
]
RULE = {
    "name": "Refunds",
    "action": "hold",
    "reason": "finance answers refunds",
    "conditions": [{"kind": "words", "values": ["refund"]}],
}


@dataclass(frozen=True)
class Api:
    http: str
    store: Store
    admin: dict[str, str]
    curator: dict[str, str]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, tagger: Tagger) -> Iterator[Api]:
    """One server for the module, over a store with a few comments, and two tokens."""
    tmp: Path = tmp_path_factory.mktemp("rules")
    settings = Settings(db=tmp / "voc.db", watch_seconds=0.05, heartbeat_seconds=20.0)
    store = Store(settings.db)
    try:
        add(store, tagger, *COMMENTS)
        admin = token_for(store, "admin@example.com", "admin")
        curator = token_for(store, "curator@example.com", "curate")
        with serving(settings) as server:
            yield Api(
                server.http,
                store,
                {"Authorization": f"Bearer {admin}"},
                {"Authorization": f"Bearer {curator}"},
            )
    finally:
        store.close()


@pytest.fixture(scope="module")
def admin_client(api: Api) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.http, headers=api.admin, timeout=30) as c:
        yield c


@pytest.fixture
def admin(admin_client: httpx.Client) -> Iterator[httpx.Client]:
    """An admin's client; the rules a test made are removed after it."""
    yield admin_client
    for r in admin_client.get("/api/v1/rules").json():
        admin_client.delete(f"/api/v1/rules/{r['id']}")


def test_an_admin_saves_a_rule_and_sees_what_it_would_have_matched(
    api: Api, admin: httpx.Client
) -> None:
    """The answer to a save carries the preview: the count and the newest matches."""
    made = admin.post("/api/v1/rules", json=RULE)
    assert made.status_code == 201, made.text
    saved = made.json()
    assert (saved["name"], saved["position"], saved["version"]) == ("Refunds", 1, 1)
    assert saved["preview"]["matched"] == 2
    assert {s["id"] for s in saved["preview"]["samples"]} == {COMMENTS[0].key, COMMENTS[2].key}
    changed = admin.put(f"/api/v1/rules/{saved['id']}", json={**RULE, "match": "any"})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    asked = admin.post(
        "/api/v1/rules/preview", json={**RULE, "conditions": [{"kind": "band", "values": ["high"]}]}
    )
    assert asked.json()["matched"] == 1
    with httpx.Client(base_url=api.http, headers=api.curator) as curator:
        assert [r["name"] for r in curator.get("/api/v1/rules").json()] == ["Refunds"]
        refused = curator.post("/api/v1/rules", json={**RULE, "name": "Mine"})
        assert refused.status_code == 403 and "admin" in refused.json()["error"]


def test_rules_are_reordered_and_removed(admin: httpx.Client) -> None:
    """The order is every rule's number once; a missing rule is a 404."""
    one = admin.post("/api/v1/rules", json=RULE).json()["id"]
    two = admin.post("/api/v1/rules", json={**RULE, "name": "Second"}).json()["id"]
    ordered = admin.post("/api/v1/rules/order", json={"ids": [two, one]})
    assert [r["name"] for r in ordered.json()] == ["Second", "Refunds"]
    wrong = admin.post("/api/v1/rules/order", json={"ids": [one]})
    assert wrong.status_code == 422 and "every rule once" in wrong.json()["error"]
    assert admin.delete(f"/api/v1/rules/{two}").json() == {"removed": two}
    gone = admin.put(f"/api/v1/rules/{two}", json=RULE)
    assert gone.status_code == 404 and gone.json()["error"] == f"no rule {two}"


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            {**RULE, "conditions": [{"kind": "pattern", "pattern": "refund(s"}]},
            "conditions[0].pattern is not a valid regular expression: missing ), "
            "unterminated subpattern at position 6",
        ),
        ({**RULE, "reason": ""}, "reason is text of 1 to 200 characters"),
        ({**RULE, "conditions": "refund"}, "conditions is a list"),
        ({**RULE, "conditions": [{"kind": "score", "scale": "nps", "at_least": 11}]}, "0 to 10"),
        ({"name": "x"}, "action is one of approve, hold, hide"),
    ],
)
def test_a_bad_rule_is_a_422_that_says_why_and_saves_nothing(
    admin: httpx.Client, body: dict[str, Any], said: str
) -> None:
    """Saved or previewed, a rule that cannot be used is refused with the field and the fix."""
    for path in ("/api/v1/rules", "/api/v1/rules/preview"):
        r = admin.post(path, json=body)
        assert r.status_code == 422 and said in r.json()["error"], (path, r.text)
    assert admin.get("/api/v1/rules").json() == []


def test_a_rule_number_that_is_not_one_is_a_422(admin: httpx.Client) -> None:
    """The path's rule is a whole number."""
    r = admin.delete("/api/v1/rules/first")
    assert r.status_code == 422 and "not a whole number" in r.json()["error"]


# -- the rules' operations fuzzed with an admin's token -----------------------------------------

RULES_ONLY = {"paths": {p: v for p, v in DOCUMENT["paths"].items() if "/rules" in p}}
rules_schema = schemathesis.openapi.from_dict(
    {**DOCUMENT, **RULES_ONLY},
    config=schemathesis.Config.from_dict(
        {**FUZZING, "generation": {**FUZZING["generation"], "max-examples": 10}}
    ),
)


@rules_schema.parametrize()
def test_no_request_an_admin_sends_to_the_rules_gets_a_5xx(
    case: schemathesis.Case[Any], api: Api
) -> None:
    """Whatever an admin sends to the rules' operations is answered below 500."""
    case.call_and_validate(
        base_url=api.http, headers=api.admin, checks=[not_a_server_error, errors_say_what]
    )
