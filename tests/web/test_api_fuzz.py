"""The REST API fuzzed from its own OpenAPI document: whatever a curator's token sends, the
server answers without a 5xx, and every 4xx is JSON that says what was wrong."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from tests.conftest import add, serving, token_for
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store
from web import api
from web.app import API_VERSION, OPERATIONS

COMMENTS = [
    Verbatim("support", "The engineer was brilliant, thank you", "1", 5, "csat5"),
    Verbatim("support", "Delivery late again, nobody called me", "2", 2, "csat5"),
    Verbatim(
        "retail", "Shit store, rude staff at the till", "3", 1, "stars5", meta={"store": "Leeds"}
    ),
    Verbatim("app", "Crashes every time I open the basket", "4", 1, "stars5"),
]

# Bounded and repeatable: a fixed number of cases per operation, the same ones every run, no
# deadline (a 2-core machine) and no example database left behind. The coverage phase is off:
# its boundary cases are not bounded by max-examples (two hundred for the queue alone).
FUZZING: dict[str, Any] = {
    "seed": 20240601,
    "generation": {
        "mode": "all",  # requests the document allows, and ones it does not
        "max-examples": 25,
        "deterministic": True,
        "database": "none",
        "with-security-parameters": False,  # the curator's token, not made-up credentials
    },
    "phases": {"coverage": {"enabled": False}},
    "request-timeout": 30,
}

# The document GET /api/openapi.json serves (the fixture holds the server to it): schemathesis
# makes one test per operation from it at collection, before any server runs.
DOCUMENT = api.openapi(OPERATIONS, API_VERSION)
schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict(FUZZING))
SEEDED = [v.key for v in COMMENTS]  # a comment's id is its key, known before it is stored


@schema.hook
def before_generate_path_parameters(
    context: schemathesis.HookContext, strategy: st.SearchStrategy[dict[str, Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    """Half the time a comment's path names one that exists, not a random string."""
    if context.operation is None or "{id}" not in context.operation.path:
        return strategy
    real = st.tuples(strategy, st.sampled_from(SEEDED)).map(lambda t: {**t[0], "id": t[1]})
    return st.one_of(strategy, real)


def _with_lone_surrogates(value: Any) -> Any:
    """Each string in a JSON value with a lone surrogate added: \\ud800 is valid JSON (an
    escape), decodes to a str that cannot be encoded as UTF-8, and schemathesis never makes one."""
    if isinstance(value, str):
        return value + "\ud800"
    if isinstance(value, list):
        return [_with_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {k: _with_lone_surrogates(v) for k, v in value.items()}
    return value


@schema.hook
def before_generate_body(
    context: schemathesis.HookContext, strategy: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """A body's strings sometimes carry a lone surrogate."""
    return st.one_of(strategy, strategy.map(_with_lone_surrogates))


@dataclass(frozen=True)
class Target:
    base_url: str
    headers: dict[str, str]


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory, tagger: Tagger) -> Iterator[Target]:
    """One real server for every operation's cases, over a store with a few comments in it."""
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    settings = Settings(db=tmp / "voc.db", watch_seconds=0.05, heartbeat_seconds=20.0)
    store = Store(settings.db)
    try:
        add(store, tagger, *COMMENTS)
        token = token_for(store, "curator@example.com", "curate")
        with serving(settings) as server:
            assert httpx.get(f"{server.http}/api/openapi.json").json() == DOCUMENT
            yield Target(server.http, {"Authorization": f"Bearer {token}"})
    finally:
        store.close()


def errors_say_what(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """A 4xx is a JSON object with an `error` message."""
    if 400 <= response.status_code < 500:
        try:
            body = json.loads(response.content)
        except ValueError:
            raise AssertionError(f"a {response.status_code} that is not JSON") from None
        assert isinstance(body, dict) and isinstance(body.get("error"), str), (
            f"a {response.status_code} without an error message: {body!r}"
        )


@schema.parametrize()
def test_no_request_a_curator_sends_gets_a_5xx(case: schemathesis.Case, target: Target) -> None:
    """Any request the fuzzer makes of an operation is answered below 500, a 4xx with a reason."""
    case.call_and_validate(
        base_url=target.base_url,
        headers=target.headers,
        checks=[not_a_server_error, errors_say_what],
    )
