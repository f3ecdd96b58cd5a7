"""OpenID Connect sign-in against a local provider: the whole code flow with PKCE, roles from
the groups claim, and each way a provider's answer can be wrong refused with a reason."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from tests.conftest import Running, make_user, serve_asgi, serving
from tests.fakes.oidc import CLIENT_ID, CLIENT_SECRET, FakeOIDC
from ticker.accounts import Accounts
from ticker.settings import Settings
from ticker.store import Store
from web import oidc


@pytest.fixture
def fake() -> FakeOIDC:
    return FakeOIDC()


@pytest.fixture
def console(
    settings: Settings, store: Store, fake: FakeOIDC, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Running]:
    monkeypatch.setenv("VOC_TEST_OIDC_SECRET", CLIENT_SECRET)
    oidc._providers.clear()
    with serve_asgi(fake.app()) as issuer:
        told = replace(
            settings,
            oidc_issuer=issuer,
            oidc_client_id=CLIENT_ID,
            oidc_client_secret_env="VOC_TEST_OIDC_SECRET",
            oidc_roles=("cx-admins=admin", "cx-team=curator"),
        )
        with serving(told) as server:
            yield server


def sign_in(server: Running, c: httpx.Client) -> httpx.Response:
    """Press the button and follow the provider back: the last answer of the flow."""
    return c.get(f"{server.http}/console/oidc/start", params={"next": "/console/log"})


def test_the_code_flow_signs_a_known_person_in(console: Running, store: Store) -> None:
    """Discovery, PKCE, the code for an ID token checked against the JWKS: a session."""
    make_user(store, "olga@example.com", "viewer")
    with httpx.Client(follow_redirects=True) as c:
        page = sign_in(console, c)
        assert page.status_code == 200 and page.url.path == "/console/log"
        me = c.get(f"{console.http}/api/v1/me").json()
    assert (me["email"], me["role"], me["via"]) == ("olga@example.com", "viewer", "session")


def test_roles_come_from_the_groups_claim(console: Running, store: Store, fake: FakeOIDC) -> None:
    """A new person in a mapped group gets the highest mapped role, at every sign-in."""
    fake.claims = {"groups": ["everyone", "cx-team", "cx-admins"]}
    with httpx.Client(follow_redirects=True) as c:
        assert sign_in(console, c).status_code == 200
    user = Accounts(store).user("olga@example.com")
    assert (user.role, user.origin) == ("admin", "oidc")
    fake.claims = {"groups": ["cx-team"]}
    with httpx.Client(follow_redirects=True) as c:
        assert sign_in(console, c).status_code == 200
    assert Accounts(store).user("olga@example.com").role == "admin"  # the last admin stays
    make_user(store, "ann@example.com", "admin")
    with httpx.Client(follow_redirects=True) as c:
        sign_in(console, c)
    assert Accounts(store).user("olga@example.com").role == "curator"


def test_a_stranger_is_told_to_ask_an_admin(console: Running, store: Store) -> None:
    """No account, no mapped group, no external_role: refused, no account made."""
    with httpx.Client(follow_redirects=True) as c:
        page = sign_in(console, c)
    assert page.status_code == 401 and "ask an admin to add you" in page.text
    assert Accounts(store).users() == []


@pytest.mark.parametrize(
    ("mode", "said"),
    [
        ("wrong-signature", "signature does not check out"),
        ("expired", "not for this sign-in"),
        ("wrong-audience", "not for this sign-in"),
        ("wrong-nonce", "not for this sign-in"),
    ],
)
def test_a_wrong_id_token_signs_nobody_in(
    console: Running, store: Store, fake: FakeOIDC, mode: str, said: str
) -> None:
    """Another key, an old token, another client's, another sign-in's: each refused."""
    make_user(store, "olga@example.com", "admin")
    fake.mode = mode
    with httpx.Client(follow_redirects=True) as c:
        page = sign_in(console, c)
        assert page.status_code == 401 and said in page.text
        assert c.get(f"{console.http}/api/v1/me").status_code == 401


def test_a_replayed_callback_finds_nothing(console: Running, store: Store) -> None:
    """The state is one-time: the same callback URL a second time is refused."""
    make_user(store, "olga@example.com", "admin")
    with httpx.Client(follow_redirects=False) as c:
        to_provider = sign_in(console, c)
        back = c.get(to_provider.headers["location"])
        callback = back.headers["location"]
        assert c.get(callback).status_code == 303
    with httpx.Client() as other:
        again = other.get(callback)
    assert again.status_code == 400 and "used already" in again.text


def test_a_forged_state_is_refused(console: Running) -> None:
    """A callback with a state this server never gave out signs nobody in."""
    r = httpx.get(f"{console.http}/console/oidc/callback", params={"code": "x", "state": "forged"})
    assert r.status_code == 400


def test_an_unreachable_provider_is_a_clear_page(settings: Settings) -> None:
    """The provider down: the button says so and offers the password form."""
    oidc._providers.clear()
    told = replace(settings, oidc_issuer="http://127.0.0.1:9", oidc_client_id=CLIENT_ID)
    with serving(told) as server:
        r = httpx.get(f"{server.http}/console/oidc/start")
    assert r.status_code == 502 and "cannot be reached" in r.text


def test_the_sign_in_page_offers_the_provider(console: Running) -> None:
    """With a provider configured, the form has its button."""
    page = httpx.get(f"{console.http}/console/signin")
    assert "/console/oidc/start" in page.text and "single sign-on" in page.text
