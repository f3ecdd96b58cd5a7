"""Console sign-in with OpenID Connect: the authorization code flow with PKCE, state and nonce.

The provider is found by discovery (`/.well-known/openid-configuration`), its keys by its JWKS
(fetched again when a token names a key it has not seen: providers rotate keys). The ID token's
signature is checked with joserfc (the JOSE library of the Authlib project), PKCE's challenge
made with Authlib; the state is one-time and server-side, so a replayed callback finds nothing.
Roles come from a claim mapped in the settings (`oidc_roles`), else from what an admin gave.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ticker.accounts import RANK, AccountError, Accounts, User, normal_email
from ticker.settings import Settings
from ticker.store import NotFound, Store
from web.state import AppState
from web.templating import next_page, render, session_cookie

log = logging.getLogger("voc.oidc")
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]  # never none, never HS*
CACHE_SECONDS = 3600.0
LEEWAY = 60  # seconds of clock difference allowed on exp and iat


class SignInFailed(Exception):
    """The provider's answer cannot sign anyone in; the message is for the person."""


@dataclass
class Provider:
    """What discovery says of the issuer, and its keys, fetched once an hour at most."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    keys: KeySet
    fetched: float


_providers: dict[str, Provider] = {}


async def provider(settings: Settings, fresh_keys: bool = False) -> Provider:
    found = _providers.get(settings.oidc_issuer)
    if found and not fresh_keys and time.monotonic() - found.fetched < CACHE_SECONDS:
        return found
    base = settings.oidc_issuer.rstrip("/")
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            meta = (await client.get(f"{base}/.well-known/openid-configuration")).raise_for_status()
            doc = meta.json()
            jwks = (await client.get(doc["jwks_uri"])).raise_for_status().json()
        made = Provider(
            doc["issuer"],
            doc["authorization_endpoint"],
            doc["token_endpoint"],
            doc["jwks_uri"],
            KeySet.import_key_set(jwks),
            time.monotonic(),
        )
    except (httpx.HTTPError, ValueError, KeyError, JoseError) as exc:
        log.warning("OpenID discovery at %s failed: %s", base, exc)
        raise SignInFailed(
            f"the sign-in provider ({settings.oidc_issuer}) cannot be reached or answered "
            "nonsense; try again, or sign in with a password"
        ) from None
    if made.issuer.rstrip("/") != base:
        raise SignInFailed("the provider's discovery names another issuer; ask an admin")
    _providers[settings.oidc_issuer] = made
    return made


def _redirect_uri(request: Request, settings: Settings) -> str:
    base = settings.public_url.rstrip("/") or f"{request.url.scheme}://{request.url.netloc}"
    return f"{base}/console/oidc/callback"


async def start(request: Request) -> Response:
    """The sign-in button: off to the provider with a fresh state, nonce and PKCE challenge."""
    state: AppState = request.app.state.voc
    settings = state.settings
    if not settings.oidc_issuer:
        return render("console/error.html", 404, message="Single sign-on is not configured.")
    try:
        found = await provider(settings)
    except SignInFailed as exc:
        return render("console/error.html", 502, message=str(exc))
    flow, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    next_url = next_page(request.query_params.get("next"))
    await state.write(lambda s: Accounts(s).save_oidc_state(flow, nonce, verifier, next_url))
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.oidc_client_id,
            "redirect_uri": _redirect_uri(request, settings),
            "scope": "openid email profile",
            "state": flow,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    return RedirectResponse(f"{found.authorization_endpoint}?{query}", 303)


async def callback(request: Request) -> Response:
    """The provider's answer: one-time state, the code for tokens, the ID token checked."""
    state: AppState = request.app.state.voc
    settings = state.settings
    params = request.query_params
    if params.get("error"):
        said = params.get("error_description") or params["error"]
        return render("console/error.html", 401, message=f"The provider refused: {said}.")
    flow = await state.write(lambda s: Accounts(s).take_oidc_state(params.get("state", "")))
    if flow is None:
        return render(
            "console/error.html",
            400,
            message="This sign-in link was used already or is too old; sign in again.",
        )
    try:
        claims = await _claims(request, settings, params.get("code", ""), flow)
        user = await state.write(lambda s: _user(s, settings, claims))
    except SignInFailed as exc:
        log.warning("OpenID sign-in refused: %s", exc)
        return render("console/error.html", 401, message=str(exc))
    address = request.client.host if request.client else ""
    hours = settings.session_hours
    secret, _ = await state.write(
        lambda s: Accounts(s).start_session(user.email, address, hours, via="oidc")
    )
    answer = RedirectResponse(flow["next"], 303)
    session_cookie(answer, request, secret, hours)
    return answer


async def _claims(
    request: Request, settings: Settings, code: str, flow: dict[str, Any]
) -> dict[str, Any]:
    found = await provider(settings)
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": _redirect_uri(request, settings),
        "code_verifier": flow["verifier"],
        "client_id": settings.oidc_client_id,
    }
    secret = os.environ.get(settings.oidc_client_secret_env, "")
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            if secret:  # client_secret_basic, which every provider takes
                auth = (settings.oidc_client_id, secret)
                answer = await client.post(found.token_endpoint, data=body, auth=auth)
            else:  # a public client: PKCE alone proves the code is ours
                answer = await client.post(found.token_endpoint, data=body)
    except httpx.HTTPError as exc:
        raise SignInFailed(f"the provider's token endpoint cannot be reached ({exc})") from None
    if answer.status_code != 200:
        raise SignInFailed(f"the provider refused the sign-in code ({answer.status_code})")
    try:
        id_token = answer.json()["id_token"]
    except (ValueError, KeyError, TypeError):
        raise SignInFailed("the provider's answer holds no ID token") from None
    try:
        token = jwt.decode(id_token, found.keys, algorithms=ALGORITHMS)
    except JoseError:
        found = await provider(settings, fresh_keys=True)  # a key rotated in since we looked
        try:
            token = jwt.decode(id_token, found.keys, algorithms=ALGORITHMS)
        except JoseError as exc:
            raise SignInFailed(f"the ID token's signature does not check out ({exc})") from None
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY,
        iss={"essential": True, "value": found.issuer},
        aud={"essential": True, "value": settings.oidc_client_id},
        exp={"essential": True},
        nonce={"essential": True, "value": flow["nonce"]},
    )
    try:
        registry.validate(token.claims)
    except JoseError as exc:
        raise SignInFailed(f"the ID token is not for this sign-in ({exc})") from None
    return dict(token.claims)


def _email(claims: dict[str, Any]) -> str:
    for name in ("email", "preferred_username", "upn"):  # Entra gives no email to some tenants
        value = claims.get(name)
        if isinstance(value, str) and "@" in value:
            if name == "email" and claims.get("email_verified") is False:
                raise SignInFailed("the provider has not verified this email address")
            return normal_email(value)
    raise SignInFailed("the ID token names no email address; ask an admin to add the email scope")


def mapped_role(settings: Settings, claims: dict[str, Any]) -> str | None:
    """The highest role the configured claim's values map to, if any."""
    values = claims.get(settings.oidc_role_claim, [])
    values = [values] if isinstance(values, str) else values
    pairs = (p.partition("=") for p in settings.oidc_roles)
    table = {value.strip(): role.strip() for value, _, role in pairs}
    roles = [table[v] for v in values if isinstance(v, str) and v in table]
    return max(roles, key=RANK.__getitem__) if roles else None


def _user(store: Store, settings: Settings, claims: dict[str, Any]) -> User:
    email = _email(claims)
    role = mapped_role(settings, claims)
    accounts = Accounts(store)
    try:
        user = accounts.user(email)
    except NotFound:
        role = role or settings.external_role
        if not role:
            raise SignInFailed(
                f"{email} has no VoC Ticker account; ask an admin to add you"
            ) from None
        return accounts.add_user(email, role, origin="oidc")
    if role and role != user.role:
        try:
            return accounts.set_role(email, role)
        except AccountError as exc:  # the groups would demote the last admin: keep them
            log.warning("kept %s's role: %s", email, exc)
    return user
