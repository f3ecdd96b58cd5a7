"""Signing in and out of the console: passwords, the lockout, CSRF, cookies, a trusted proxy,
and sign-out or a role change reaching open console connections."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.conftest import PASSWORD, UNIT, Running, add, make_user, serving
from ticker.accounts import Accounts
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store


@pytest.fixture
def console(settings: Settings, store: Store, tagger: Tagger) -> Iterator[Running]:
    make_user(store, "ann@example.com", "admin")
    make_user(store, "cy@example.com", "viewer")
    add(store, tagger, Verbatim("s", "Shit service, rude staff", "1", 1, "csat5"))
    with serving(replace(settings, signin_delay_seconds=0)) as server:
        yield server


def form_token(c: httpx.Client, path: str = "/console/signin") -> str:
    page = c.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def sign_in(c: httpx.Client, email: str, password: str = PASSWORD, **extra: str) -> httpx.Response:
    data = {"email": email, "password": password, "csrf": form_token(c), **extra}
    return c.post("/console/signin", data=data)


def test_a_console_page_sends_strangers_to_sign_in(console: Running) -> None:
    """Not signed in: the queue redirects to the sign-in form, which comes back after."""
    r = httpx.get(f"{console.http}/console/log")
    assert r.status_code == 303 and r.headers["location"] == "/console/signin?next=/console/log"


def test_signing_in_sets_a_safe_cookie_and_opens_the_queue(console: Running) -> None:
    """The session cookie is HttpOnly and SameSite=Lax; /api/v1/me knows who it is."""
    with httpx.Client(base_url=console.http) as c:
        r = sign_in(c, "ANN@example.com", next="/console/log")
        assert r.status_code == 303 and r.headers["location"] == "/console/log"
        cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("voc_session="))
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
        me = c.get("/api/v1/me").json()
        assert (me["email"], me["role"], me["via"]) == ("ann@example.com", "admin", "session")
        page = c.get("/console")
        assert page.status_code == 200
        assert "unsafe-inline" not in page.headers["content-security-policy"]


def test_after_sign_in_only_this_sites_console(console: Running) -> None:
    """`next` never leads off the site (no open redirect)."""
    with httpx.Client(base_url=console.http) as c:
        for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
            assert sign_in(c, "ann@example.com", next=evil).headers["location"] == "/console"


def test_a_wrong_password_says_so_and_the_sixth_try_is_locked(console: Running) -> None:
    """401 with one message for a wrong password or an unknown person; then 429."""
    with httpx.Client(base_url=console.http) as c:
        for _ in range(5):
            r = sign_in(c, "ann@example.com", "not the password at all")
            assert r.status_code == 401 and "Wrong email or password." in r.text
        assert sign_in(c, "nobody@example.com", "whatever it is").status_code == 401
        locked = sign_in(c, "ann@example.com")  # even the right password, for now
        assert locked.status_code == 429 and "try again in 15 minutes" in locked.text
        assert 0 < int(locked.headers["retry-after"]) <= 900
        assert "voc_session" not in c.cookies


def test_the_sign_in_form_without_its_token_is_refused(console: Running) -> None:
    """A form posted from another site (no token, or another one) signs nobody in."""
    with httpx.Client(base_url=console.http) as c:
        c.get("/console/signin")
        data = {"email": "ann@example.com", "password": PASSWORD, "csrf": "forged"}
        r = c.post("/console/signin", data=data)
        assert r.status_code == 403 and "did not come from this page" in r.text
        assert "voc_session" not in c.cookies


def test_a_change_without_the_csrf_token_is_403_and_changes_nothing(
    console: Running, store: Store
) -> None:
    """A session's cookie alone changes nothing; with the page's token it does."""
    [vid] = [r["id"] for r in store.db.query("SELECT id FROM verbatims")]
    with httpx.Client(base_url=console.http) as c:
        sign_in(c, "ann@example.com")
        url = f"/api/v1/comments/{vid}/approve"
        assert c.post(url).status_code == 403
        forged = c.post(url, headers={"X-CSRF-Token": "forged"})
        assert forged.status_code == 403 and "CSRF" in forged.json()["error"]
        assert store.get(vid).state == "pending" and store.curation_log() == []
        token = c.get("/api/v1/me").json()["csrf"]
        assert c.post(url, headers={"X-CSRF-Token": token}).json()["state"] == "approved"


def test_a_viewer_sees_but_cannot_hide(console: Running, store: Store) -> None:
    """A viewer reads the queue; hiding is 403 with the role named."""
    [vid] = [r["id"] for r in store.db.query("SELECT id FROM verbatims")]
    with httpx.Client(base_url=console.http) as c:
        sign_in(c, "cy@example.com")
        assert c.get("/api/v1/queue").status_code == 200
        token = c.get("/api/v1/me").json()["csrf"]
        r = c.post(f"/api/v1/comments/{vid}/hide", headers={"X-CSRF-Token": token})
        assert r.status_code == 403 and "has role viewer" in r.json()["error"]
        assert c.get("/console/users").status_code == 403
    assert store.get(vid).state == "pending"


def cookie_header(c: httpx.Client) -> dict[str, str]:
    return {"Cookie": f"voc_session={c.cookies['voc_session']}"}


def closed_within(ws: object, seconds: float) -> int | None:
    """The close code the console connection gets within `seconds`, or None."""
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            ws.recv(timeout=max(0.01, deadline - time.monotonic()))  # type: ignore[attr-defined]
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd else None
    except TimeoutError:
        return None
    return None


def test_sign_out_closes_that_persons_console(console: Running) -> None:
    """The form's sign-out ends the session; the open console line closes with 4401 (how soon:
    `python -m bench.reach`, in the README)."""
    with httpx.Client(base_url=console.http) as c:
        sign_in(c, "ann@example.com")
        ws_url = f"ws://127.0.0.1:{console.port}/ws/console"
        with connect(ws_url, additional_headers=cookie_header(c)) as ws:
            assert '"changed"' in ws.recv(timeout=5 * UNIT)
            csrf = form_token(c, "/console")
            r = c.post("/console/signout", data={"csrf": csrf})
            assert r.status_code == 303
            assert closed_within(ws, 10 * UNIT) == 4401
        assert c.get("/api/v1/me").status_code == 401


def test_a_role_change_elsewhere_takes_effect_at_once(console: Running, store: Store) -> None:
    """Demoted from another process: the next request is refused, the console line closes."""
    make_user(store, "bob@example.com", "admin")
    with httpx.Client(base_url=console.http) as c:
        sign_in(c, "bob@example.com")
        ws_url = f"ws://127.0.0.1:{console.port}/ws/console"
        with connect(ws_url, additional_headers=cookie_header(c)) as ws:
            ws.recv(timeout=5 * UNIT)
            Accounts(store).set_role("bob@example.com", "viewer")  # as `users set-role` does
            assert closed_within(ws, 10 * UNIT) == 4401
        assert c.get("/api/v1/users").status_code == 403


def test_the_console_line_refuses_other_sites_and_strangers(console: Running) -> None:
    """Another site's page cannot ride the cookie in; no session, no line."""
    ws_url = f"ws://127.0.0.1:{console.port}/ws/console"
    with httpx.Client(base_url=console.http) as c:
        sign_in(c, "ann@example.com")
        evil = {**cookie_header(c), "Origin": "http://evil.example"}
        for headers in (evil, {}):
            with (
                pytest.raises(Exception, match="403|4401"),
                connect(ws_url, additional_headers=headers) as ws,
            ):
                ws.recv(timeout=5 * UNIT)


def test_a_trusted_proxys_header_signs_people_in(settings: Settings, store: Store) -> None:
    """From a trusted address the header names the person (made a viewer on first sight)."""
    told = replace(settings, trusted_proxies=("127.0.0.0/8",), external_role="viewer")
    with serving(told) as server, httpx.Client(base_url=server.http) as c:
        me = c.get("/api/v1/me", headers={"X-Forwarded-Email": "Dee@Example.com"}).json()
        assert (me["email"], me["role"], me["via"]) == ("dee@example.com", "viewer", "proxy")
        page = c.get("/console", headers={"X-Forwarded-Email": "dee@example.com"})
        assert page.status_code == 200 and "voc_session" in c.cookies
        forged = c.post("/api/v1/bulk", headers={"X-Forwarded-Email": "dee@example.com"})
        assert forged.status_code == 403  # a proxy's header is ambient too: CSRF holds
    assert Accounts(store).user("dee@example.com").origin == "proxy"


def test_an_unknown_person_behind_the_proxy_is_told_to_ask(settings: Settings) -> None:
    """With no external_role, a person without an account gets a clear 403."""
    told = replace(settings, trusted_proxies=("127.0.0.1",))
    with serving(told) as server:
        r = httpx.get(f"{server.http}/api/v1/me", headers={"X-Forwarded-Email": "eve@example.com"})
        assert r.status_code == 403 and "ask an admin" in r.json()["error"]


def test_the_header_from_an_untrusted_address_is_ignored_and_logged(
    settings: Settings, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """Anyone can send X-Forwarded-Email: from outside trusted_proxies it signs nobody in."""
    make_user(store, "ann@example.com", "admin")
    told = replace(settings, trusted_proxies=("10.20.30.40",))
    with caplog.at_level(logging.WARNING, logger="voc.auth"), serving(told) as server:
        r = httpx.get(f"{server.http}/api/v1/me", headers={"X-Forwarded-Email": "ann@example.com"})
        assert r.status_code == 401
    assert any("ignored X-Forwarded-Email from 127.0.0.1" in m for m in caplog.messages)
