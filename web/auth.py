"""Who is asking, and may they: sessions, API tokens and a trusted proxy's header, one model.

Every request is identified afresh from the store (a role change or a removal takes effect on
the next request, whichever process made it). A session's cookie is ambient, so every
state-changing request it makes must carry the session's CSRF token; a bearer token is not
ambient and needs none. A proxy's header counts only from the addresses in `trusted_proxies`.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import HTTPConnection, Request

from ticker.accounts import Accounts, Session, Token, User, normal_email
from ticker.feeds import Feed
from ticker.store import NotFound, Store
from web.state import AppState

COOKIE = "voc_session"
CSRF_HEADER = "x-csrf-token"
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
TOUCH_EVERY = 300.0  # seconds between writes that slide a session's expiry
log = logging.getLogger("voc.auth")
_warned: dict[str, float] = {}


class Refused(Exception):
    """An answer of 401 or 403 (or another 4xx) with a message a person can act on."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class Identity:
    user: User
    via: str  # session, token or proxy
    session: Session | None = None
    token: Token | None = None

    def may(self, need: str) -> bool:
        return self.token.may(need) if self.token else self.user.may(need)

    @property
    def actor(self) -> str:
        """How the curation log names who acted (a token's id beside its owner)."""
        return f"{self.user.email} (token {self.token.id})" if self.token else self.user.email


def client_address(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else ""


def from_trusted_proxy(state: AppState, address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in state.settings.trusted_proxies)


def proxy_email(state: AppState, conn: HTTPConnection) -> str | None:
    """The email a trusted proxy vouches for; the header from anyone else is logged, unused."""
    raw = conn.headers.get(state.settings.proxy_header)
    if not raw:
        return None
    address = client_address(conn)
    if not from_trusted_proxy(state, address):
        if time.monotonic() - _warned.get(address, -60.0) >= 60.0:  # once a minute per address
            _warned[address] = time.monotonic()
            log.warning(
                "ignored %s from %s: not in trusted_proxies", state.settings.proxy_header, address
            )
        return None
    try:
        return normal_email(raw)
    except ValueError:
        return None


async def identify(conn: HTTPConnection) -> Identity | None:
    """Who is asking: a bearer token, a trusted proxy's header, or a session cookie."""
    state: AppState = conn.app.state.voc
    hours = state.settings.session_hours
    authorization = conn.headers.get("authorization", "")
    if authorization:
        scheme, _, secret = authorization.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Refused(401, "Authorization must be 'Bearer voc_…' (an API token)")
        token = await state.readers.run(lambda s: Accounts(s).token(secret.strip()))
        if token is None:
            raise Refused(401, "this API token is unknown, expired or revoked")
        if _stale(token.last_used_at):
            await state.write(lambda s: Accounts(s).token_used(token.id))
        return Identity(token.user, "token", token=token)
    secret = conn.cookies.get(COOKIE, "")
    session = await state.readers.run(lambda s: Accounts(s).session(secret)) if secret else None
    vouched = proxy_email(state, conn)
    if vouched is not None and (session is None or session.user.email != vouched):
        return await _proxy_identity(state, conn, vouched)
    if session is None:
        return None
    if session.via == "proxy" and from_trusted_proxy(state, client_address(conn)) and not vouched:
        return None  # the proxy signed this person out
    if _stale(session.seen_at):
        await state.write(lambda s: Accounts(s).touch_session(session.id, hours))
    return Identity(session.user, "session", session=session)


async def _proxy_identity(state: AppState, conn: HTTPConnection, email: str) -> Identity | None:
    """A proxy-vouched person, with an account made on first sight if `external_role` says."""
    role = state.settings.external_role

    def find(store: Store) -> User | None:
        accounts = Accounts(store)
        try:
            return accounts.user(email)
        except NotFound:
            return accounts.add_user(email, role, origin="proxy") if role else None

    user = await state.write(find)
    if user is None:
        raise Refused(403, f"{email} has no VoC Ticker account; ask an admin to add you")
    return Identity(user, "proxy")


def _stale(stamp: str | None) -> bool:
    if not stamp:
        return True
    seen = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return (datetime.now(UTC) - seen).total_seconds() >= TOUCH_EVERY


async def require(request: Request, need: str) -> Identity:
    """The identity of a request that may do what `need` (a role or scope) allows.

    Raises Refused: 401 without an identity, 403 without the role or scope, or for a
    state-changing request from a session cookie without its CSRF token."""
    who = await identify(request)
    if who is None:
        raise Refused(401, "sign in first, or send an API token (Authorization: Bearer voc_…)")
    if request.method not in SAFE and who.token is None:  # a cookie, or a proxy's header
        sent = request.headers.get(CSRF_HEADER, "")
        expected = who.session.csrf if who.session else ""
        if not sent or not expected or not hmac.compare_digest(sent, expected):
            raise Refused(403, "the CSRF token is missing or wrong; reload the page and try again")
    if not who.may(need):
        held = f"scope {who.token.scope}" if who.token else f"role {who.user.role}"
        raise Refused(403, f"this needs {need}; {who.user.email} has {held}")
    return who


def may_curate(who: Identity, feeds: list[Feed], row: dict[str, Any]) -> bool:
    """A curator limited to some feeds may act on the comments those feeds' filters take."""
    if who.user.role == "admin" or not who.user.feeds:
        return True
    named = [f for f in feeds if f.name in who.user.feeds]
    return any(f.filter.admits(row) for f in named)
