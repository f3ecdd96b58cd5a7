"""Signed deliveries of every shape: verbatims, or RecordError naming the field, never a crash.

A signed but malformed delivery must reach the receiver as RecordError so that it is quarantined
(422) rather than answered 500 and retried by the platform for ever.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.registry import WEBHOOKS
from ingest.webhooks import Rejected, verify_generic, verify_standard
from tests.conftest import ROOT
from ticker.records import RecordError, Verbatim
from ticker.sources import Source

FIXTURES = ROOT / "tests" / "fixtures" / "webhooks"
TYPEFORM = json.loads((FIXTURES / "typeform_form_response.json").read_text())
DELIGHTED = json.loads((FIXTURES / "delighted_response_updated.json").read_text())
FORMBRICKS = json.loads((FIXTURES / "formbricks_response_finished.json").read_text())
FORMBRICKS["data"]["data"] = {"q1": "9", "q2": "The installer was great, fast and tidy."}
GENERIC = {
    "id": "r-1",
    "text": "Checkout was quick",
    "score": 9,
    "scale": "nps",
    "given_at": "2026-03-01T10:00:00Z",
    "meta": {"plan": "pro"},
}
TYPEFORM_SCORED = copy.deepcopy(TYPEFORM)  # an NPS field defined and answered
TYPEFORM_SCORED["form_response"]["definition"]["fields"].append(
    {"id": "npsF", "ref": "nps_ref", "type": "nps", "properties": {"steps": 11}}
)
TYPEFORM_SCORED["form_response"]["answers"].append(
    {"type": "number", "number": 9, "field": {"id": "npsF", "type": "nps", "ref": "nps_ref"}}
)
TYPEFORM_SCORED["form_response"]["answers"].append(
    {"type": "choices", "choices": {"labels": ["Red", "Blue"]}, "field": {"id": "c1"}}
)

GENERIC_SOURCE = Source("g", "webhook", "X")
TYPEFORM_SOURCE = Source("t", "typeform-webhook", "X")
FORMBRICKS_SOURCE = Source("f", "formbricks-webhook", "X", ("q2",), "q1", "nps")
DELIGHTED_SOURCE = Source("d", "delighted-webhook", "X")
META = (("plan", "plan"), ("country", "country"), ("who", "user_id"), ("colours", "c1"))
# (adapter, source, a valid payload): with and without `meta`, so both ways of picking run.
VALID = [
    ("webhook", GENERIC_SOURCE, GENERIC),
    ("webhook", Source("g", "webhook", "X", meta=META), [GENERIC, {**GENERIC, "id": 7}]),
    ("typeform-webhook", TYPEFORM_SOURCE, TYPEFORM),
    ("typeform-webhook", Source("t", "typeform-webhook", "X", meta=META), TYPEFORM_SCORED),
    ("formbricks-webhook", FORMBRICKS_SOURCE, FORMBRICKS),
    ("formbricks-webhook", Source("f", "formbricks-webhook", "X", ("q2",), meta=META), FORMBRICKS),
    ("delighted-webhook", DELIGHTED_SOURCE, DELIGHTED),
    ("delighted-webhook", Source("d", "delighted-webhook", "X", meta=META), DELIGHTED),
]


def parse(adapter: str, source: Source, payload: Any) -> list[Verbatim]:
    return WEBHOOKS[adapter].parse(source, payload)


def changed(payload: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A deep copy of the payload with the value at `path` set (a missing key added)."""
    if not path:
        return value
    out = copy.deepcopy(payload)
    at = out
    for step in path[:-1]:
        at = at[step]
    at[path[-1]] = value
    return out


def answer_field(index: int, **field: Any) -> Any:
    """The Typeform fixture with the field of one answer replaced."""
    return changed(TYPEFORM, ("form_response", "answers", index, "field"), field)


def test_the_valid_payloads_give_verbatims() -> None:
    """Each payload the other tests break is a good delivery as it stands."""
    for adapter, source, payload in VALID:
        found = parse(adapter, source, payload)
        assert found and all(isinstance(v, Verbatim) for v in found), adapter


MALFORMED = [
    ("webhook", {**GENERIC, "scale": "percent"}, "scale 'percent'"),
    ("webhook", {**GENERIC, "scale": ["nps"]}, r"scale \['nps'\]"),
    ("webhook", {**GENERIC, "scale": {"name": "nps"}}, "scale"),
    ("webhook", {**GENERIC, "meta": 5}, "meta must be an object.*not a number"),
    ("webhook", {**GENERIC, "meta": ["plan", "pro"]}, "meta must be an object.*not a list"),
    ("webhook", {**GENERIC, "meta": "plan=pro"}, "meta must be an object.*not a string"),
    ("webhook", {**GENERIC, "id": {"value": "r-1"}}, "id must be a string or a number"),
    ("webhook", {**GENERIC, "id": True}, "id must be a string or a number, not a boolean"),
    ("webhook", {**GENERIC, "text": 5}, "text"),
    ("webhook", {**GENERIC, "score": [9]}, r"score \[9\] is not a number"),
    ("webhook", [GENERIC, "Great"], "each item must be an object"),
    (
        "typeform-webhook",
        changed(TYPEFORM, ("form_response", "definition", "fields", 0, "properties"), ["x"]),
        "properties of field 'DlXFaesGBpoF' are a list",
    ),
    (
        "typeform-webhook",
        changed(TYPEFORM, ("form_response", "definition", "fields", 1, "properties"), "steps"),
        "properties of field 'SMEUb7VJz92Q' are a string",
    ),
    ("typeform-webhook", answer_field(0, id=["DlXFaesGBpoF"]), "the id of an answer's field"),
    ("typeform-webhook", answer_field(0, id="x", ref={"r": 1}), "the ref of an answer's field"),
    (
        "typeform-webhook",
        changed(TYPEFORM_SCORED, ("form_response", "answers", -1, "choices", "labels"), 5),
        "labels of a choices answer are a number",
    ),
    (
        "typeform-webhook",  # an answered field the definition lacks, its properties a list
        changed(
            TYPEFORM,
            ("form_response", "answers", 0, "field"),
            {"id": "new", "type": "opinion_scale", "properties": [11]},
        ),
        "properties of field 'new' are a list",
    ),
    (
        "typeform-webhook",
        changed(TYPEFORM, ("form_response", "answers"), {"a": 1}),
        "no answers list",
    ),
    ("formbricks-webhook", changed(FORMBRICKS, ("data", "meta"), ["DE"]), "data.meta must be"),
    ("formbricks-webhook", changed(FORMBRICKS, ("data", "meta"), "DE"), "data.meta must be"),
    ("formbricks-webhook", changed(FORMBRICKS, ("data", "data", "q1"), [9]), "score"),
    (
        "delighted-webhook",
        changed(DELIGHTED, ("event_data", "person_properties"), ["plan", "pro"]),
        "person_properties must be an object, not a list",
    ),
    (
        "delighted-webhook",
        changed(DELIGHTED, ("event_data", "person_properties"), "pro"),
        "person_properties must be an object, not a string",
    ),
    ("delighted-webhook", changed(DELIGHTED, ("event_data",), [1]), "without event_data"),
]
SOURCES = {"webhook": GENERIC_SOURCE, "typeform-webhook": TYPEFORM_SOURCE}
SOURCES |= {"formbricks-webhook": FORMBRICKS_SOURCE, "delighted-webhook": DELIGHTED_SOURCE}


@pytest.mark.parametrize(("adapter", "payload", "message"), MALFORMED)
def test_a_malformed_delivery_is_a_record_error_naming_the_field(
    adapter: str, payload: Any, message: str
) -> None:
    """Each shape that once raised TypeError, AttributeError or KeyError says what is wrong."""
    with pytest.raises(RecordError, match=message):
        parse(adapter, SOURCES[adapter], payload)


@pytest.mark.parametrize("meta", [5, ["plan"], "plan"])
def test_meta_picked_by_the_source_is_checked_too(meta: Any) -> None:
    """A source that names its metadata fields refuses a meta that is no object."""
    source = Source("g", "webhook", "X", meta=(("plan", "plan"),))
    with pytest.raises(RecordError, match="meta must be an object"):
        parse("webhook", source, {**GENERIC, "meta": meta})


def test_an_empty_meta_in_any_shape_is_no_meta() -> None:
    """PHP sends an empty object as []: it is an empty meta, as before."""
    for empty in ([], "", None, {}):
        assert parse("webhook", GENERIC_SOURCE, {**GENERIC, "meta": empty})[0].meta == {}


def test_a_delighted_score_too_big_for_a_float_is_no_score() -> None:
    """10**400 is a number but no score: the comment comes in unscored."""
    found = parse(
        "delighted-webhook", DELIGHTED_SOURCE, changed(DELIGHTED, ("event_data", "score"), 10**400)
    )
    assert (found[0].score, found[0].scale) == (None, None)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
# Keys the parsers read, so that a value also lands where a key was missing.
KEYS = (
    *("id", "ref", "type", "text", "score", "scale", "given_at", "meta", "properties", "fields"),
    *("steps", "start_at_one", "labels", "other", "label", "choice", "choices", "number"),
    *("hidden", "answers", "definition", "field", "person_properties", "comment", "survey_type"),
    *("updated_at", "created_at", "event_type", "event_data", "data", "language", "updatedAt"),
    *("createdAt", "submitted_at", "landed_at", "token", "form_response", "plan", "user_id"),
)


def places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into a JSON value, and a new key of each object."""
    yield path
    if isinstance(value, dict):
        yield from ((*path, key) for key in KEYS if key not in value)
        for key, inner in value.items():
            yield from places(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from places(inner, (*path, index))


@pytest.mark.parametrize(("adapter", "source", "payload"), VALID)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_json_anywhere_gives_verbatims_or_a_record_error(
    adapter: str, source: Source, payload: Any, data: st.DataObject
) -> None:
    """Arbitrary JSON put at one or two places of a valid payload never raises anything else."""
    broken = payload
    for _ in range(data.draw(st.integers(1, 2), label="changes")):
        path = data.draw(st.sampled_from(list(places(broken))), label="path")
        broken = changed(broken, path, data.draw(json_values, label="value"))
    try:
        found = parse(adapter, source, broken)
    except RecordError:
        return
    assert isinstance(found, list) and all(isinstance(v, Verbatim) for v in found)
    assert all(isinstance(k, str) and isinstance(v, str) for v in found for k, v in v.meta.items())


def signed(stamp: int, body: bytes = b"{}") -> dict[str, str]:
    mac = hmac.new(b"s", f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {
        "x-voc-delivery": "d-1",
        "x-voc-timestamp": str(stamp),
        "x-voc-signature": f"sha256={mac}",
    }


def test_a_timestamp_from_the_future_is_named_as_such() -> None:
    """A clock an hour ahead is reported as in the future, not as an hour old."""
    now = 1_800_000_000
    with pytest.raises(
        Rejected, match="^delivery's timestamp is 3600 s in the future; more than 300 s is refused$"
    ):
        verify_generic("s", signed(now + 3600), b"{}", now)
    with pytest.raises(Rejected, match="^delivery is 3600 s old; more than 300 s is refused$"):
        verify_generic("s", signed(now - 3600), b"{}", now)
    assert verify_generic("s", signed(now + 300), b"{}", now) == "d-1"


def test_a_standard_webhook_from_the_future_is_named_as_such() -> None:
    """Standard Webhooks (Formbricks) share the check."""
    now, key = 1_800_000_000, b"k" * 32
    stamp = str(now + 601)
    mac = base64.b64encode(hmac.new(key, f"m-1.{stamp}.{{}}".encode(), hashlib.sha256).digest())
    headers = {
        "webhook-id": "m-1",
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + mac.decode(),
    }
    with pytest.raises(Rejected, match="601 s in the future"):
        verify_standard("whsec_" + base64.b64encode(key).decode(), headers, b"{}", now)
