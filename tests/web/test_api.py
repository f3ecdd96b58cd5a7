"""The REST API against a real server: scopes, roles, curation reaching the store, the log,
and the OpenAPI document held to the routes."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from tests.conftest import Running, add, make_user, serving, token_for
from ticker.feeds import Feed, FeedFilter
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store
from web.app import OPERATIONS

COMMENTS = [
    Verbatim("support", "The engineer was brilliant, thank you", "1", 5, "csat5"),
    Verbatim("support", "Delivery late again, nobody called me", "2", 2, "csat5"),
    Verbatim(
        "retail", "Shit store, rude staff at the till", "3", 1, "stars5", meta={"store": "Leeds"}
    ),
]


@pytest.fixture
def ids(store: Store, tagger: Tagger) -> list[str]:
    return add(store, tagger, *COMMENTS)


@pytest.fixture
def api(settings: Settings, ids: list[str]) -> Iterator[Running]:
    with serving(settings) as server:
        yield server


def client(server: Running, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.http, headers=headers, timeout=30)


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def test_every_operation_without_a_token_is_401(api: Running) -> None:
    """Nothing of the API answers anyone who has not said who they are."""
    with client(api) as c:
        for op in OPERATIONS:
            r = c.request(op.method, concrete(op.path), json={} if op.body else None)
            assert r.status_code == 401, (op.method, op.path, r.text)
            assert "sign in first" in r.json()["error"]


def test_every_operation_beyond_a_tokens_scope_is_403(api: Running, store: Store) -> None:
    """A read token may read; asked to curate or administer, 403 and a reason."""
    read = token_for(store, "viewer@example.com", "read")
    curate = token_for(store, "curator@example.com", "curate")
    with client(api, read) as r, client(api, curate) as c:
        for op in OPERATIONS:
            for who, scope in ((r, "read"), (c, "curate")):
                rank = {"read": 0, "curate": 1, "admin": 2}
                if rank[op.need] > rank[scope]:
                    got = who.request(op.method, concrete(op.path), json={} if op.body else None)
                    assert got.status_code == 403, (scope, op.method, op.path, got.text)
                    assert f"this needs {op.need}" in got.json()["error"]


def test_an_unknown_revoked_or_malformed_token_is_401(api: Running, store: Store) -> None:
    """Each says what is wrong with what was sent."""
    secret = token_for(store, "curator@example.com", "curate")
    with client(api, "voc_not-a-real-one") as c:
        assert "unknown, expired or revoked" in c.get("/api/v1/me").json()["error"]
    with httpx.Client(base_url=api.http, headers={"Authorization": "Basic abc"}) as c:
        assert "Bearer" in c.get("/api/v1/me").json()["error"]
    from ticker.accounts import Accounts

    [token] = Accounts(store).tokens()
    Accounts(store).revoke_token(token.id)
    with client(api, secret) as c:
        assert c.get("/api/v1/me").status_code == 401


def test_curation_through_the_api_reaches_the_store_and_the_log(
    api: Running, store: Store, ids: list[str]
) -> None:
    """Approve, hide with a reason, pin, mask, re-tag, note: each answers the card as it is."""
    token = token_for(store, "dana@example.com", "curate")
    with client(api, token) as c:
        pending = c.get("/api/v1/queue", params={"state": "pending"}).json()["items"]
        assert [p["id"] for p in pending] == [ids[2]]
        card = c.post(f"/api/v1/comments/{ids[2]}/approve").json()
        assert card["state"] == "approved" and "approve by dana@example.com" in card["why"]
        card = c.post(f"/api/v1/comments/{ids[1]}/hide", json={"reason": "duplicate"}).json()
        assert card["state"] == "hidden"
        card = c.post(f"/api/v1/comments/{ids[0]}/mask", json={"start": 4, "end": 12}).json()
        assert card["screen_text"] == "The [masked] was brilliant, thank you"
        card = c.post(f"/api/v1/comments/{ids[0]}/retag", json={"bucket": "neutral"}).json()
        assert (card["bucket"], card["bucket_by"]) == (
            "neutral",
            f"dana@example.com (token {card['bucket_by'].split()[-1]}",
        )
        assert (
            c.post(f"/api/v1/comments/{ids[0]}/notes", json={"text": "ask Sam"}).status_code == 201
        )
        one = c.get(f"/api/v1/comments/{ids[0]}").json()
        assert [n["text"] for n in one["notes"]] == ["ask Sam"]
        assert [e["action"] for e in one["events"]] == ["note", "retag", "mask"]
    assert store.get(ids[0]).text == COMMENTS[0].text  # the customer's words stay


@pytest.mark.parametrize(
    ("path", "body", "status", "said"),
    [
        ("/api/v1/comments/ID0/mask", {"start": 10, "end": 999}, 422, "outside the comment"),
        ("/api/v1/comments/ID0/mask", {"start": "a", "end": 3}, 422, "whole number"),
        ("/api/v1/comments/ID0/retag", {"bucket": "awful"}, 422, "not one of"),
        ("/api/v1/comments/nope/approve", {}, 404, "no verbatim"),
        ("/api/v1/bulk", {"ids": "all", "action": "hide"}, 422, "list of comment ids"),
        ("/api/v1/bulk", {"ids": ["ID0"], "action": "mask"}, 422, "cannot be done in bulk"),
        ("/api/v1/events/abc/undo", None, 422, "not a whole number"),
        ("/api/v1/events/643561310264942395392/undo", None, 422, "under 10^18"),
        ("/api/v1/events/²/undo", None, 422, "not a whole number"),
        ("/api/v1/comments/ID0/hide", b'{"reason": "Mira \\ud800"}', 422, "half of a character"),
        ("/api/v1/bulk", b'{"ids": ["\\ud800"], "action": "hide"}', 422, "half of a character"),
    ],
)
def test_bad_requests_are_4xx_with_a_message_and_change_nothing(
    api: Running, store: Store, ids: list[str], path: str, body: object, status: int, said: str
) -> None:
    """Whatever a caller sends wrong, a 4xx that says what; never a 500; nothing logged."""
    token = token_for(store, "dana@example.com", "curate")
    with client(api, token) as c:
        url = path.replace("ID0", ids[0])
        r = c.post(url, content=body) if isinstance(body, bytes) else c.post(url, json=body)
    assert r.status_code == status and said in r.json()["error"]
    assert store.curation_log() == []


def test_a_body_that_is_not_json_or_too_big(api: Running, store: Store, ids: list[str]) -> None:
    """400 for what is not JSON, 413 past a megabyte."""
    token = token_for(store, "dana@example.com", "curate")
    with client(api, token) as c:
        url = f"/api/v1/comments/{ids[0]}/hide"
        assert c.post(url, content=b"{nope").status_code == 400
        assert c.post(url, content=b"[" * 2_000_000).status_code == 413


def test_bulk_and_its_one_undo(api: Running, store: Store, ids: list[str]) -> None:
    """A bulk hide is one batch; undoing the batch brings every comment back."""
    token = token_for(store, "dana@example.com", "curate")
    with client(api, token) as c:
        done = c.post("/api/v1/bulk", json={"ids": ids, "action": "hide"}).json()
        assert done["count"] == 3 and store.count(state="hidden") == 3
        undone = c.post(f"/api/v1/batches/{done['batch']}/undo").json()
        assert undone["count"] == 3 and store.count(state="hidden") == 0


def test_a_curator_limited_to_a_feed_acts_only_there(
    settings: Settings, store: Store, ids: list[str]
) -> None:
    """Named feeds bound a curator: another feed's comment is 403 and stays as it was."""
    store.save_feed(Feed("retail", "Retail", FeedFilter(sources=("retail",))))
    make_user(store, "rita@example.com", "curator", ("retail",))
    from ticker.accounts import Accounts

    secret, _ = Accounts(store).add_token("rita@example.com", "curate")
    with serving(settings) as server, client(server, secret) as c:
        assert c.post(f"/api/v1/comments/{ids[2]}/approve").status_code == 200
        refused = c.post(f"/api/v1/comments/{ids[0]}/hide")
        assert refused.status_code == 403 and "outside the feeds" in refused.json()["error"]
        bulk = c.post("/api/v1/bulk", json={"ids": ids, "action": "hide"})
        assert bulk.status_code == 403
    assert store.count(state="hidden") == 0


def test_admins_manage_people_and_tokens(api: Running, store: Store) -> None:
    """Add a person, change their role, make a token shown once, revoke it, remove them."""
    admin = token_for(store, "ann@example.com", "admin")
    with client(api, admin) as c:
        weak = c.post(
            "/api/v1/users",
            json={"email": "x@example.com", "role": "viewer", "password": "password1234"},
        )
        assert weak.status_code == 422 and "most common" in weak.json()["error"]
        made = c.post("/api/v1/users", json={"email": "Bo@Example.com", "role": "viewer"})
        assert made.json()["email"] == "bo@example.com"
        assert (
            c.patch("/api/v1/users/bo@example.com", json={"role": "curator"}).json()["role"]
            == "curator"
        )
        token = c.post("/api/v1/tokens", json={"email": "bo@example.com", "scope": "curate"})
        assert token.status_code == 201 and token.json()["secret"].startswith("voc_")
        listed = c.get("/api/v1/tokens").json()
        assert all("secret" not in t and "hash" not in t for t in listed)
        with client(api, token.json()["secret"]) as bo:
            assert bo.get("/api/v1/me").json()["email"] == "bo@example.com"
            assert bo.get("/api/v1/users").status_code == 403  # a curator manages no one
            c.delete(f"/api/v1/tokens/{token.json()['id']}")
            assert bo.get("/api/v1/me").status_code == 401
        assert c.delete("/api/v1/users/bo@example.com").status_code == 200
        last = c.delete("/api/v1/users/ann@example.com")
        assert last.status_code == 422 and "last admin" in last.json()["error"]


def test_the_log_filters_and_exports_csv_without_formulas(
    api: Running, store: Store, ids: list[str]
) -> None:
    """Filter by person and action; the CSV defuses cells a spreadsheet would run."""
    token = token_for(store, "dana@example.com", "curate")
    with client(api, token) as c:
        c.post(f"/api/v1/comments/{ids[0]}/hide", json={"reason": '=HYPERLINK("x")'})
        c.post(f"/api/v1/comments/{ids[1]}/pin")
        hides = c.get("/api/v1/log", params={"action": "hide"}).json()["items"]
        assert [e["verbatim_id"] for e in hides] == [ids[0]] and hides[0]["undoable"]
        r = c.get("/api/v1/log", params={"format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["action"] for row in rows] == ["pin", "hide"]
    assert rows[1]["reason"] == '\'=HYPERLINK("x")'


def test_openapi_matches_the_routes_and_names_each_scope(api: Running) -> None:
    """Every route of /api/v1 is in the document with its scope, and nothing else is."""
    doc = httpx.get(f"{api.http}/api/openapi.json").json()
    assert doc["openapi"] == "3.1.0"
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert documented == {(op.method, op.path) for op in OPERATIONS}
    for path, ops in doc["paths"].items():
        for method, entry in ops.items():
            assert entry["x-scope"] in ("read", "curate", "admin"), (method, path)
            assert "Needs " in entry["description"]
    from web.app import create_app

    app = create_app(replace(api.settings))
    routed = {
        (m, r.path)
        for r in app.routes
        if getattr(r, "path", "").startswith("/api/v1")
        for m in (r.methods or ())
        if m != "HEAD"
    }
    assert routed == documented


def test_a_tokens_last_use_is_recorded(api: Running, store: Store) -> None:
    """Admins see when each token was last used (a token nobody uses can go)."""
    from ticker.accounts import Accounts

    secret = token_for(store, "dana@example.com", "curate")
    [token] = Accounts(store).tokens()
    assert token.last_used_at is None
    with client(api, secret) as c:
        c.get("/api/v1/me")
    [token] = Accounts(store).tokens()
    assert token.last_used_at is not None


def test_more_than_ten_thousand_at_once_is_refused_whole(api: Running, store: Store) -> None:
    """10,001 ids: 422 with the limit, before anything is looked at or changed."""
    token = token_for(store, "dana@example.com", "curate")
    with client(api, token) as c:
        ids = [f"id-{i}" for i in range(10_001)]
        r = c.post("/api/v1/bulk", json={"ids": ids, "action": "hide"})
    assert r.status_code == 422 and "at most 10,000" in r.json()["error"]
    assert store.curation_log() == []


def test_a_session_ended_elsewhere_is_401(api: Running, store: Store) -> None:
    """`users sign-out` (a lost laptop) ends the cookie's session at once."""
    from ticker.accounts import Accounts

    make_user(store, "ann@example.com", "admin")
    secret, _ = Accounts(store).start_session("ann@example.com", "127.0.0.1", 1)
    with httpx.Client(base_url=api.http, cookies={"voc_session": secret}) as c:
        assert c.get("/api/v1/me").status_code == 200
        Accounts(store).end_sessions("ann@example.com")
        assert c.get("/api/v1/me").status_code == 401


def test_admins_define_feeds_and_bad_definitions_say_why(api: Running, store: Store) -> None:
    """PUT a feed: stored and listed; a bad share or a name that disagrees: 422."""
    admin = token_for(store, "ann@example.com", "admin")
    with client(api, admin) as c:
        made = c.put(
            "/api/v1/feeds/retail", json={"title": "Stores", "filter": {"sources": ["retail"]}}
        )
        assert made.status_code == 200 and made.json()["filter"]["sources"] == ["retail"]
        assert "retail" in [f["name"] for f in c.get("/api/v1/feeds").json()]
        bad = c.put("/api/v1/feeds/retail", json={"mix": {"shares": {"good": "lots"}}})
        assert bad.status_code == 422
        other = c.put("/api/v1/feeds/retail", json={"name": "support"})
        assert other.status_code == 422 and "the path" in other.json()["error"]
    assert store.feed("retail").title == "Stores"


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/api/v1/queue?before=643561310264942395392", "under 10^18"),
        ("/api/v1/queue?min_score=nan", "not a finite number"),
        ("/api/v1/log?before=99999999999999999999", "under 10^18"),
    ],
)
def test_numbers_no_database_holds_are_422(
    api: Running, store: Store, path: str, said: str
) -> None:
    """A cursor past 2^63 or a score of NaN is the caller's mistake, said as such."""
    with client(api, token_for(store, "cy@example.com", "read")) as c:
        r = c.get(path)
    assert r.status_code == 422 and said in r.json()["error"]


def test_an_unknown_route_or_method_under_api_is_json(api: Running) -> None:
    """404 and 405 under /api/ are JSON with an error, like every other answer there."""
    with client(api) as c:
        missing = c.get("/api/v1/nothing-here")
        wrong = c.request("TRACE", "/api/v1/me")
    assert missing.status_code == 404 and missing.json()["error"]
    assert wrong.status_code == 405 and wrong.json()["error"]


def test_the_honesty_meter_and_a_praise_wall_that_needs_a_reason(
    api: Running, store: Store
) -> None:
    """GET …/mix shows shown against received; a praise wall is refused until confirmed."""
    admin = token_for(store, "ann@example.com", "admin")
    with client(api, admin) as c:
        mix = c.get("/api/v1/feeds/all/mix").json()
        assert mix["received"] == {"good": 1, "bad": 1, "ugly": 1} and not mix["praise_wall"]
        wall = {"title": "Only praise", "filter": {"buckets": ["good"]}}
        refused = c.put("/api/v1/feeds/praise", json=wall)
        assert refused.status_code == 409 and "praise wall" in refused.json()["error"]
        saved = c.put(
            "/api/v1/feeds/praise",
            json={**wall, "confirm_praise_wall": "the thank-you screen in reception"},
        )
        assert saved.status_code == 200 and saved.json()["mix"]["praise_wall"]
        [event] = c.get("/api/v1/log", params={"action": "praise-wall"}).json()["items"]
    assert event["actor"].startswith("ann@example.com")
    assert event["reason"] == "the thank-you screen in reception"


def test_action_notes_through_the_api(api: Running, store: Store, ids: list[str]) -> None:
    """A curator writes, changes and removes a note; a viewer may only read them."""
    curator = token_for(store, "dana@example.com", "curate")
    viewer = token_for(store, "cy@example.com", "read")
    note = {
        "you_said": "Nobody called back.",
        "we_did": "A call-back promise within 2 hours.",
        "owner": "Support",
        "status": "in progress",
        "comments": [ids[1]],
    }
    with client(api, curator) as c, client(api, viewer) as v:
        made = c.post("/api/v1/actions", json=note)
        assert made.status_code == 201 and made.json()["comments"] == [ids[1]]
        assert v.post("/api/v1/actions", json=note).status_code == 403
        number = made.json()["id"]
        done = c.put(f"/api/v1/actions/{number}", json={**note, "status": "done"})
        assert done.json()["status"] == "done"
        assert [n["id"] for n in v.get("/api/v1/actions", params={"status": "done"}).json()] == [
            number
        ]
        bad = c.post("/api/v1/actions", json={**note, "status": "soon"})
        assert bad.status_code == 422 and "status is one of" in bad.json()["error"]
        assert c.delete(f"/api/v1/actions/{number}").status_code == 200
        assert v.get("/api/v1/actions").json() == []
